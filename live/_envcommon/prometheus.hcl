# prometheus unit, shared by every environment: the Amazon Managed Service for Prometheus
# workspace that compute's collector writes to, and the rules it evaluates. It depends on
# nothing, so compute (which needs the remote-write URL) and observability (whose alarm topic
# the workspace's alert manager publishes to, and which holds that alert manager definition)
# can both read it without a cycle. Whether an environment has the workspace (enabled) is the
# input of live/<env>/prometheus/terragrunt.hcl.

locals {
  # The rules `make test-rules` proves with promtool: monitoring/rules/<name>.rules.yml becomes
  # the rule groups namespace <name>, byte for byte.
  rules_dir = "${get_repo_root()}/monitoring/rules"
}

terraform {
  source = "${get_repo_root()}/modules//prometheus"
}

inputs = {
  rule_groups = {
    for file in fileset(local.rules_dir, "*.rules.yml") :
    trimsuffix(file, ".rules.yml") => file("${local.rules_dir}/${file}")
  }
}
