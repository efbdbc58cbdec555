# Never null: Terragrunt refuses a dependency whose state holds no output at all, which is
# what a disabled workspace would otherwise leave.
output "enabled" {
  description = "Whether the workspace exists (var.enabled)."
  value       = var.enabled
}

output "workspace_id" {
  description = "ID of the workspace (ws-...), what the AMP API calls take. null when disabled."
  value       = var.enabled ? aws_prometheus_workspace.this[0].id : null
}

output "workspace_arn" {
  description = "ARN of the workspace: the resource of the collector's aps:RemoteWrite permission. null when disabled."
  value       = var.enabled ? aws_prometheus_workspace.this[0].arn : null
}

output "prometheus_endpoint" {
  description = "Base URL of the workspace's Prometheus-compatible API (ends with /). null when disabled."
  value       = local.endpoint
}

output "remote_write_url" {
  description = "Remote-write URL of the workspace (SigV4, service aps): the collector's exporter endpoint. null when disabled."
  value       = var.enabled ? "${local.endpoint}api/v1/remote_write" : null
}

output "query_url" {
  description = "Query API of the workspace (SigV4): <query_url>?query=... null when disabled."
  value       = var.enabled ? "${local.endpoint}api/v1/query" : null
}

output "rule_groups_namespaces" {
  description = "ARN of each rule groups namespace of the workspace, by name ({} when disabled)."
  value       = { for name, ns in aws_prometheus_rule_group_namespace.this : name => ns.arn }
}
