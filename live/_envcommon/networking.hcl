# networking unit, shared by every environment: VPC, subnets, NAT, security groups, flow logs.
# It depends on nothing; each environment's settings (NAT per AZ, flow-log retention, ALB
# ingress) are the inputs of live/<env>/networking/terragrunt.hcl.

terraform {
  source = "${get_repo_root()}/modules//networking"
}

# The roles this unit creates carry the workload boundary of the github-oidc unit, which the
# pipeline's apply role may create roles in only; that unit applies first.
dependencies {
  paths = ["${get_terragrunt_dir()}/../github-oidc"]
}

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

inputs = {
  permissions_boundary_arn = "arn:aws:iam::${local.env.account_id}:policy/${local.env.name}-workload-boundary"
}
