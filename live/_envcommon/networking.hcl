# networking unit, shared by every environment: VPC, subnets, NAT, security groups, flow logs.
# Environment values come from live/<env>/env.hcl (locals.networking).

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${get_repo_root()}/modules//networking"
}

inputs = local.env.networking
