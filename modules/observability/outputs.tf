output "sns_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies (subscribe pagers/chat here)."
  value       = aws_sns_topic.this.arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_names" {
  description = "Names of the alarms, by purpose (error_rate, latency_p99, no_healthy_hosts, running_tasks, app_errors; waf_blocked_requests with a web ACL)."
  value       = { for k, a in local.alarms : k => a.alarm_name }
}

output "alarm_arns" {
  description = "ARNs of the alarms, by purpose."
  value       = { for k, a in local.alarms : k => a.arn }
}

output "metric_namespace" {
  description = "CloudWatch namespace of the log-derived metrics (AppErrors, Gateway429)."
  value       = local.metric_namespace
}

output "budget_name" {
  description = "Name of the monthly AWS Budget (<name>-monthly), null without one."
  value       = try(aws_budgets_budget.this[0].name, null)
}
