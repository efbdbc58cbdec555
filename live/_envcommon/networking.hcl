# networking unit, shared by every environment: VPC, subnets, NAT, security groups, flow logs.
# It depends on nothing; each environment's settings (NAT per AZ, flow-log retention, ALB
# ingress) are the inputs of live/<env>/networking/terragrunt.hcl.

terraform {
  source = "${get_repo_root()}/modules//networking"
}
