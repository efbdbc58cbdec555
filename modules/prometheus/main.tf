# The workspace only: provider 3.39 has no aws_prometheus_rule_group_namespace or
# aws_prometheus_alert_manager_definition, so `make deploy` loads monitoring/rules and the
# alert manager definition through the AMP API afterwards (ops/amp_config.py, README).
resource "aws_prometheus_workspace" "this" {
  count = var.enabled ? 1 : 0

  alias = var.name
}

locals {
  # prometheus_endpoint ends with a slash: ".../workspaces/ws-<id>/".
  endpoint = var.enabled ? aws_prometheus_workspace.this[0].prometheus_endpoint : null
}
