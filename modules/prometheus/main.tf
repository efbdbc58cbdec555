# The workspace and the rules it evaluates. The alert manager definition, which routes the
# alerts to the observability unit's SNS topic, lives in the observability module, which
# has the topic (this unit depends on nothing: README).
resource "aws_prometheus_workspace" "this" {
  count = var.enabled ? 1 : 0

  alias = var.name

  tags = merge(var.tags, { Name = var.name })
}

# One namespace per rules file, its bytes exactly (the ones `make test-rules` proves with
# promtool); AMP validates and evaluates them.
resource "aws_prometheus_rule_group_namespace" "this" {
  for_each = var.enabled ? var.rule_groups : {}

  workspace_id = aws_prometheus_workspace.this[0].id
  name         = each.key
  data         = each.value

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

locals {
  # prometheus_endpoint ends with a slash: ".../workspaces/ws-<id>/".
  endpoint = var.enabled ? aws_prometheus_workspace.this[0].prometheus_endpoint : null
}
