data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Only the first two zone names are used (slice below), so a newly added zone never changes the set; pin exact zones with var.azs.
  count = length(var.azs) == 0 ? 1 : 0

  state = "available"
}

data "aws_caller_identity" "current" {}

locals {
  azs = length(var.azs) == 2 ? var.azs : slice(data.aws_availability_zones.available[0].names, 0, 2)

  public_subnet_cidrs  = length(var.public_subnet_cidrs) == 2 ? var.public_subnet_cidrs : [for i in range(2) : cidrsubnet(var.vpc_cidr, 8, i)]
  private_subnet_cidrs = length(var.private_subnet_cidrs) == 2 ? var.private_subnet_cidrs : [for i in range(2) : cidrsubnet(var.vpc_cidr, 8, 10 + i)]

  nat_gateway_count = var.single_nat_gateway ? 1 : 2
}

################################################################################
# VPC, subnets, gateways, routes
################################################################################

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = var.name })
}

# Locks down the VPC's default security group: nothing may silently use it.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-default-deny" })
}

resource "aws_subnet" "public" {
  count = 2

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.public_subnet_cidrs[count.index]
  availability_zone = local.azs[count.index]
  # The ALB and NAT gateways get their addresses explicitly; nothing else should be public.
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name}-public-${local.azs[count.index]}", Tier = "public" })
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.private_subnet_cidrs[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${var.name}-private-${local.azs[count.index]}", Tier = "private" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_eip" "nat" {
  count = local.nat_gateway_count

  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name}-nat-${local.azs[count.index]}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_gateway_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = merge(var.tags, { Name = "${var.name}-${local.azs[count.index]}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = 2

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# One private route table per AZ even with a single NAT gateway, so that switching
# single_nat_gateway only repoints routes instead of replacing tables and associations.
resource "aws_route_table" "private" {
  count = 2

  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-private-${local.azs[count.index]}" })
}

resource "aws_route" "private_nat" {
  count = 2

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count = 2

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

################################################################################
# Security groups (rules as standalone resources only: mixing them with inline
# rules makes the two fight and re-plan forever). name_prefix, not name: a group is
# replaced create-before-destroy, and two groups of one VPC cannot share a name.
################################################################################

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:Attached to the ALB by the compute module, which consumes this output.
  name_prefix = "${var.name}-alb-"
  description = "Public ALB of ${var.name}: HTTP/HTTPS in, gateway port out to the tasks"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "alb_ingress" {
  #checkov:skip=CKV_AWS_260:Public HTTP listener of an internet-facing ALB (redirects to HTTPS when enable_https is set); alb_ingress_cidrs narrows it.
  for_each = toset(["80", "443"])

  security_group_id = aws_security_group.alb.id
  type              = "ingress"
  description       = "Clients to the ALB on ${each.key}"
  protocol          = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_blocks       = var.alb_ingress_cidrs
}

resource "aws_security_group_rule" "alb_egress_tasks" {
  security_group_id        = aws_security_group.alb.id
  type                     = "egress"
  description              = "ALB to the nginx gateway of the tasks"
  protocol                 = "tcp"
  from_port                = var.gateway_port
  to_port                  = var.gateway_port
  source_security_group_id = aws_security_group.tasks.id
}

resource "aws_security_group" "tasks" {
  #checkov:skip=CKV2_AWS_5:Attached to the ECS service by the compute module, which consumes this output.
  name_prefix = "${var.name}-tasks-"
  description = "Fargate tasks of ${var.name}: gateway port from the ALB only, HTTPS out"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-tasks" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "tasks_ingress_alb" {
  security_group_id        = aws_security_group.tasks.id
  type                     = "ingress"
  description              = "ALB to the nginx gateway"
  protocol                 = "tcp"
  from_port                = var.gateway_port
  to_port                  = var.gateway_port
  source_security_group_id = aws_security_group.alb.id
}

# Image pulls (ECR), the API keys secret and CloudWatch Logs are AWS HTTPS endpoints
# reached through the NAT gateway; nothing else leaves the tasks.
resource "aws_security_group_rule" "tasks_egress_https" {
  security_group_id = aws_security_group.tasks.id
  type              = "egress"
  description       = "HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch Logs) via NAT"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}

################################################################################
# VPC flow logs
################################################################################

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through flow_logs_kms_key_arn (the key policy must trust CloudWatch Logs); without it CloudWatch Logs encrypts at rest with its own keys.
  name              = "/vpc/${var.name}/flow-logs"
  retention_in_days = var.flow_logs_retention_days
  kms_key_id        = var.flow_logs_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-flow-logs" })
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    # Confused-deputy guard: only flow logs of this account may use the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name_prefix          = "${substr(var.name, 0, 20)}-flow-logs-"
  description          = "VPC flow logs of ${var.name} writing to their log group"
  assume_role_policy   = data.aws_iam_policy_document.flow_logs_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${var.name}-flow-logs" })
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogStreams",
    ]
    resources = [
      aws_cloudwatch_log_group.flow_logs.arn,
      "${aws_cloudwatch_log_group.flow_logs.arn}:*",
    ]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-log-group"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = var.flow_logs_traffic_type
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn

  tags = merge(var.tags, { Name = var.name })
}
