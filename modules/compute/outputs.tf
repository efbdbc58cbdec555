output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "service_id" {
  description = "ARN (ID) of the ECS service."
  value       = aws_ecs_service.this.id
}

output "deployment_alarm_names" {
  description = "Names of the alarms whose ALARM state rolls back a running deployment of the service (5xx ratio, no healthy hosts)."
  value       = [aws_cloudwatch_metric_alarm.deployment_error_rate.alarm_name, aws_cloudwatch_metric_alarm.deployment_no_healthy_hosts.alarm_name]
}

output "task_definition_arn" {
  description = "ARN (with revision) of the task definition the service runs."
  value       = aws_ecs_task_definition.this.arn
}

output "image_tag" {
  description = "Tag of both images the task definition runs (the commit SHA the pipeline pushed): a plan that names no image (make plan without IMAGE_TAG) plans this one, so an unchanged service plans no change."
  value       = var.image_tag
}

output "task_definition_family" {
  description = "Family of the task definition (CI registers new revisions in it)."
  value       = aws_ecs_task_definition.this.family
}

output "execution_role_arn" {
  description = "ARN of the task execution role (ECR pull, logs, the API keys secret)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role (the containers' own AWS identity; aps:RemoteWrite with the collector, no permission without)."
  value       = aws_iam_role.task.arn
}

output "alb_arn" {
  description = "ARN of the application load balancer."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the ALB (CloudWatch LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the ALB (the public entry point)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone ID of the ALB (for a Route 53 alias record)."
  value       = aws_lb.this.zone_id
}

output "target_group_arn" {
  description = "ARN of the target group (ip targets, nginx gateway port)."
  value       = aws_lb_target_group.this.arn
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (CloudWatch TargetGroup dimension)."
  value       = aws_lb_target_group.this.arn_suffix
}

output "http_listener_arn" {
  description = "ARN of the HTTP listener (forwards, or redirects to HTTPS when enable_https)."
  value       = aws_lb_listener.http.arn
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener, null unless enable_https."
  value       = try(aws_lb_listener.https[0].arn, null)
}

output "url" {
  description = "Public URL of the service: https://<domain_name> with a domain (and HTTPS), https://<ALB DNS name> with HTTPS only (the certificate does not cover that name: clients must skip verification), http://<ALB DNS name> without HTTPS."
  value       = local.https_enabled ? "https://${coalesce(var.domain_name, aws_lb.this.dns_name)}" : "http://${aws_lb.this.dns_name}"

  # The name must resolve before anyone is told to use it.
  depends_on = [aws_route53_record.alias]
}

output "domain_name" {
  description = "The alias record's name (domain_name), null without a domain."
  value       = try(aws_route53_record.alias[0].name, null)
}

output "alb_access_logs_bucket" {
  description = "Name of the S3 bucket holding the ALB access logs (<prefix>/AWSLogs/<account>/elasticloadbalancing/...), null unless alb_access_logs_enabled."
  value       = try(aws_s3_bucket.access_logs[0].id, null)
}

output "app_log_group_name" {
  description = "Name of the app container log group (JSON lines)."
  value       = aws_cloudwatch_log_group.this["app"].name
}

output "app_log_group_arn" {
  description = "ARN of the app container log group."
  value       = aws_cloudwatch_log_group.this["app"].arn
}

output "nginx_log_group_name" {
  description = "Name of the nginx container log group."
  value       = aws_cloudwatch_log_group.this["nginx"].name
}

output "nginx_log_group_arn" {
  description = "ARN of the nginx container log group."
  value       = aws_cloudwatch_log_group.this["nginx"].arn
}

output "autoscaling_min_capacity" {
  description = "Minimum task count of the service's autoscaling target."
  value       = aws_appautoscaling_target.this.min_capacity
}

output "autoscaling_max_capacity" {
  description = "Maximum task count of the service's autoscaling target."
  value       = aws_appautoscaling_target.this.max_capacity
}

output "gateway_rate_limits" {
  description = "The rate limits each task's nginx enforces on its own (var.gateway_rate_limits): the waf unit's rate-based rules are derived from them."
  value       = var.gateway_rate_limits
}
