output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "The two availability zones the subnets are spread over."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (ALB), in AZ order."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (Fargate tasks), in AZ order."
  value       = aws_subnet.private[*].id
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (one, or one per AZ)."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "Public IPs the tasks' outbound traffic leaves from (allow-list these at third parties)."
  value       = aws_eip.nat[*].public_ip
}

output "public_route_table_id" {
  description = "ID of the public route table (default route to the internet gateway)."
  value       = aws_route_table.public.id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables, in AZ order (default route to a NAT gateway)."
  value       = aws_route_table.private[*].id
}

output "alb_security_group_id" {
  description = "ID of the ALB security group (ingress 80/443 from alb_ingress_cidrs, egress to the tasks on gateway_port)."
  value       = aws_security_group.alb.id
}

output "tasks_security_group_id" {
  description = "ID of the tasks security group (ingress only from the ALB security group on gateway_port, egress HTTPS)."
  value       = aws_security_group.tasks.id
}

output "gateway_port" {
  description = "The gateway port the security groups were opened for (pass the same value to compute)."
  value       = var.gateway_port
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = aws_flow_log.this.id
}

output "flow_log_group_name" {
  description = "Name of the CloudWatch log group receiving the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

output "flow_log_group_arn" {
  description = "ARN of the CloudWatch log group receiving the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.arn
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint on the private route tables (ECR image layers)."
  value       = aws_vpc_endpoint.s3.id
}
