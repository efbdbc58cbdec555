# prometheus unit, shared by every environment: the Amazon Managed Service for Prometheus
# workspace that compute's collector writes to. It depends on nothing, so compute (which needs
# the remote-write URL) and observability (whose alarm topic the workspace's alert manager
# publishes to) can both read it without a cycle. Whether an environment has the workspace
# (enabled) is the input of live/<env>/prometheus/terragrunt.hcl. The rules and the alert
# manager definition are loaded by `make deploy` after the apply (ops/amp_config.py): provider
# 3.39 has no resource for them.

terraform {
  source = "${get_repo_root()}/modules//prometheus"
}
