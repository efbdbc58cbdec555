# Never null: Terragrunt refuses a dependency whose state holds no output at all, which is
# what a disabled web ACL would otherwise leave.
output "enabled" {
  description = "Whether the web ACL exists and protects the ALB (var.enabled)."
  value       = var.enabled
}

output "web_acl_arn" {
  description = "ARN of the web ACL. null when disabled."
  value       = try(aws_wafv2_web_acl.this[0].arn, null)
}

output "web_acl_name" {
  description = "Name of the web ACL: the WebACL dimension of its AWS/WAFV2 metrics (observability's blocked-requests alarm). null when disabled."
  value       = try(aws_wafv2_web_acl.this[0].name, null)
}

output "rate_limits" {
  description = "The rate-based rules' limits, requests per evaluation window across all tasks: api_key and client_ip (derived from gateway_rate_limits)."
  value       = local.rate_limits
}

output "rate_limit_window_seconds" {
  description = "The evaluation window of the rate-based rules, in seconds."
  value       = var.rate_limit_window_seconds
}

output "rule_priorities" {
  description = "Priority of each rule of the web ACL by name (lowest evaluated first)."
  value       = { for rule in try(aws_wafv2_web_acl.this[0].rule, []) : rule.name => rule.priority }
}

output "log_group_name" {
  description = "CloudWatch Logs group of the web ACL's logs (aws-waf-logs-<name>: blocked and counted requests unless log_all_requests). null when disabled."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}
