# The alarms a deployment of the service watches: ECS rolls the deployment back when one of
# them goes to ALARM while it runs (aws_ecs_service.this, alarms), the circuit breaker's
# complement for tasks that pass their health checks yet fail requests.
#
# They live here, not in the observability module, because the service references them and
# observability depends on compute (its alarms need the ALB, the target group and the service):
# alarms owned there would make a cycle. These have no notification action (rolling back is
# their action, and ECS records it in the service's events); observability's alarms, damped
# and notifying the topic, still page when a problem outlasts a deployment.

locals {
  # The ALB's 5xx (target and ELB) over its requests, as observability's 5xx-ratio alarm
  # computes it, evaluated only above a minimum volume (a deployment of an idle service is not
  # rolled back for one failed request).
  deployment_error_rate_inputs     = { req = "RequestCount", t5xx = "HTTPCode_Target_5XX_Count", e5xx = "HTTPCode_ELB_5XX_Count" }
  deployment_error_rate_expression = "IF(FILL(req, 0) >= ${var.deployment_rollback_min_requests}, 100 * (FILL(t5xx, 0) + FILL(e5xx, 0)) / FILL(req, 0), 0)"
}

resource "aws_cloudwatch_metric_alarm" "deployment_error_rate" {
  alarm_name          = "${var.name}-deploy-5xx-ratio"
  alarm_description   = "Rolls back a deployment of ${var.name}: more than ${var.deployment_rollback_error_rate_percent}% of requests answered 5xx (target + ALB) for 3 one-minute periods, with at least ${var.deployment_rollback_min_requests} requests per period."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.deployment_rollback_error_rate_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  # No traffic means no errors.
  treat_missing_data = "notBreaching"

  metric_query {
    id          = "ratio"
    expression  = local.deployment_error_rate_expression
    label       = "5xx ratio (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.deployment_error_rate_inputs

    content {
      id = metric_query.key

      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        dimensions  = { LoadBalancer = aws_lb.this.arn_suffix }
        period      = 60
        stat        = "Sum"
      }
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-deploy-5xx-ratio" })
}

resource "aws_cloudwatch_metric_alarm" "deployment_no_healthy_hosts" {
  alarm_name          = "${var.name}-deploy-no-healthy-hosts"
  alarm_description   = "Rolls back a deployment of ${var.name}: no healthy target behind the ALB for 2 one-minute periods."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.this.arn_suffix, TargetGroup = aws_lb_target_group.this.arn_suffix }
  statistic           = "Minimum"
  period              = 60
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  # Silence is no evidence against the new tasks: observability's alarm of the same metric
  # treats it as an outage and pages.
  treat_missing_data = "notBreaching"

  tags = merge(var.tags, { Name = "${var.name}-deploy-no-healthy-hosts" })
}
