# prometheus unit, shared by every environment: the Amazon Managed Service for Prometheus
# workspace that compute's collector writes to. It depends on nothing, so compute (which needs
# the remote-write URL) and observability (whose alarm topic the workspace's alert manager
# publishes to) can both read it without a cycle. Environment values come from
# live/<env>/env.hcl (locals.prometheus). The rules and the alert manager definition are loaded
# by `make deploy` after the apply (ops/amp_config.py): provider 3.39 has no resource for them.

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${get_repo_root()}/modules//prometheus"
}

inputs = local.env.prometheus
