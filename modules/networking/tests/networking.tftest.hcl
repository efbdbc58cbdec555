# Plan-level checks of the networking module against a mocked AWS provider.
mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  # The provider validates these at plan time even when mocked.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/sumapi-test/flow-logs" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/sumapi-test-flow-logs" }
  }
}

variables {
  name = "sumapi-test"
}

run "two_azs_shared_nat_by_default" {
  command = apply

  assert {
    condition     = aws_subnet.public[*].availability_zone == ["eu-west-1a", "eu-west-1b"] && aws_subnet.private[*].availability_zone == ["eu-west-1a", "eu-west-1b"]
    error_message = "Subnets must cover the first two zones, one public and one private each."
  }

  assert {
    condition     = aws_subnet.public[*].cidr_block == ["10.0.0.0/24", "10.0.1.0/24"] && aws_subnet.private[*].cidr_block == ["10.0.10.0/24", "10.0.11.0/24"]
    error_message = "Default subnet CIDRs are carved from the VPC CIDR."
  }

  assert {
    condition     = !anytrue(concat(aws_subnet.public[*].map_public_ip_on_launch, aws_subnet.private[*].map_public_ip_on_launch))
    error_message = "No subnet may hand out public IPs by default."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && alltrue([for r in aws_route.private_nat : r.nat_gateway_id == aws_nat_gateway.this[0].id])
    error_message = "single_nat_gateway (default) routes both private subnets through one NAT gateway."
  }

  assert {
    condition     = aws_security_group_rule.tasks_ingress_alb.source_security_group_id == aws_security_group.alb.id && aws_security_group_rule.tasks_ingress_alb.from_port == 8080 && aws_security_group_rule.tasks_ingress_alb.to_port == 8080
    error_message = "Tasks accept only the ALB security group, on the gateway port."
  }

  assert {
    condition     = toset([for r in aws_security_group_rule.alb_ingress : r.from_port]) == toset([80, 443])
    error_message = "The ALB accepts 80 and 443."
  }

  assert {
    condition     = aws_flow_log.this.log_destination == aws_cloudwatch_log_group.flow_logs.arn && aws_flow_log.this.traffic_type == "ALL"
    error_message = "VPC flow logs go to the module's log group."
  }

  assert {
    condition     = aws_vpc.this.tags["Name"] == "sumapi-test"
    error_message = "Resources carry a Name tag."
  }
}

# A fixed name would make every replacement fail: the new group (create_before_destroy) cannot
# take the name the old one still holds.
run "security_groups_are_named_by_prefix" {
  command = plan

  assert {
    condition     = startswith(aws_security_group.alb.name_prefix, "sumapi-test-alb-") && startswith(aws_security_group.tasks.name_prefix, "sumapi-test-tasks-")
    error_message = "Security groups must use name_prefix (<name>-alb-, <name>-tasks-), not a fixed name, so that create_before_destroy can replace them."
  }
}

run "one_nat_per_az" {
  command = apply

  variables {
    single_nat_gateway = false
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2 && aws_route.private_nat[0].nat_gateway_id == aws_nat_gateway.this[0].id && aws_route.private_nat[1].nat_gateway_id == aws_nat_gateway.this[1].id
    error_message = "Each private subnet egresses through the NAT gateway of its own AZ."
  }
}

run "bad_cidr_is_refused" {
  command = plan

  variables {
    vpc_cidr = "10.0.0.0/8"
  }

  expect_failures = [var.vpc_cidr]
}

run "privileged_gateway_port_is_refused" {
  command = plan

  variables {
    gateway_port = 80
  }

  expect_failures = [var.gateway_port]
}

run "unsupported_retention_is_refused" {
  command = plan

  variables {
    flow_logs_retention_days = 42
  }

  expect_failures = [var.flow_logs_retention_days]
}

run "image_layers_bypass_the_nat_gateway" {
  command = apply

  # The mocked provider gives every route table one ID: the public one gets its own.
  override_resource {
    target = aws_route_table.public
    values = { id = "rtb-public" }
  }

  override_data {
    target = data.aws_region.current
    values = { name = "eu-west-1" }
  }

  assert {
    condition     = aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3.service_name == "com.amazonaws.eu-west-1.s3"
    error_message = "An S3 gateway endpoint of the VPC's region carries the S3 traffic."
  }

  assert {
    condition     = toset(aws_vpc_endpoint.s3.route_table_ids) == toset(aws_route_table.private[*].id) && !contains(aws_vpc_endpoint.s3.route_table_ids, aws_route_table.public.id)
    error_message = "The endpoint is on both private route tables (the tasks'), not the public one."
  }

  assert {
    condition = [for st in data.aws_iam_policy_document.s3_endpoint.statement : {
      actions = st.actions, resources = st.resources
      }] == [{
      actions   = toset(["s3:GetObject"])
      resources = toset(["arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"])
    }]
    error_message = "Through the endpoint the tasks may read ECR's layer bucket of the region and nothing else."
  }
}

run "more_buckets_through_the_endpoint_are_named" {
  command = plan

  variables {
    s3_endpoint_buckets = ["sumapi-test-assets"]
  }

  override_data {
    target = data.aws_region.current
    values = { name = "eu-west-1" }
  }

  assert {
    condition     = one(data.aws_iam_policy_document.s3_endpoint.statement).resources == toset(["arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*", "arn:aws:s3:::sumapi-test-assets/*"])
    error_message = "s3_endpoint_buckets are added to the layer bucket, never instead of it."
  }
}
