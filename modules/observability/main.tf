data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  metric_namespace = coalesce(var.metric_namespace, "SumAPI/${var.name}")
  region           = data.aws_region.current.name

  alb_dimensions     = { LoadBalancer = var.alb_arn_suffix }
  target_dimensions  = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  service_dimensions = { ClusterName = var.cluster_name, ServiceName = var.service_name }

  # Target and ELB 5xx over requests, in percent, evaluated only above a minimum volume
  # (a handful of requests with one failure is noise, not an outage). With no traffic at
  # all the ratio is 0: the no-healthy-hosts alarm covers the "everything is down" case.
  error_rate_inputs     = { req = "RequestCount", t5xx = "HTTPCode_Target_5XX_Count", e5xx = "HTTPCode_ELB_5XX_Count" }
  error_rate_expression = "IF(FILL(req, 0) >= ${var.error_rate_min_requests}, 100 * (FILL(t5xx, 0) + FILL(e5xx, 0)) / FILL(req, 0), 0)"

  task_count_inputs = { desired = "DesiredTaskCount", running = "RunningTaskCount" }

  # arn:<partition>:aps:<region>:<account>:workspace/<id>
  prometheus_workspace_id = var.prometheus_workspace_arn == null ? null : element(split("/", var.prometheus_workspace_arn), 1)

  alarm_actions = [aws_sns_topic.this.arn]

  alarms = merge(
    {
      error_rate       = aws_cloudwatch_metric_alarm.error_rate
      latency_p99      = aws_cloudwatch_metric_alarm.latency_p99
      no_healthy_hosts = aws_cloudwatch_metric_alarm.no_healthy_hosts
      running_tasks    = aws_cloudwatch_metric_alarm.running_tasks
      app_errors       = aws_cloudwatch_metric_alarm.app_errors
    },
    { for a in aws_cloudwatch_metric_alarm.waf_blocked_requests : "waf_blocked_requests" => a },
  )

  # A topic policy replaces SNS's default one: it exists only when a service other than
  # CloudWatch must publish (the workspace's alert manager, AWS Budgets).
  topic_policy_needed = var.prometheus_workspace_arn != null || var.budget != null
}

################################################################################
# Notification
################################################################################

resource "aws_sns_topic" "this" {
  #checkov:skip=CKV_AWS_26:Encryption is opt-in through sns_kms_key_arn: CloudWatch alarms cannot publish to a topic under the AWS managed key, and a customer key must first grant cloudwatch.amazonaws.com (secrets module kms_key_service_principals).
  name              = "${var.name}-alarms"
  kms_master_key_id = var.sns_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-alarms" })
}

# Only with a Prometheus workspace or a budget: the workspace's alert manager (the definition
# below) and AWS Budgets (budget.tf) publish here too. A topic policy replaces SNS's default
# one, so it restates what the default allowed (the account manages the topic, CloudWatch
# alarms publish) and adds those publishers; without either the default policy stays untouched.
data "aws_iam_policy_document" "topic" {
  count = local.topic_policy_needed ? 1 : 0

  statement {
    sid = "AccountManagesTopic"
    actions = [
      "sns:AddPermission", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
      "sns:Publish", "sns:RemovePermission", "sns:SetTopicAttributes", "sns:Subscribe",
    ]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  dynamic "statement" {
    for_each = var.prometheus_workspace_arn == null ? [] : [var.prometheus_workspace_arn]

    content {
      sid       = "PrometheusAlertManagerPublishes"
      actions   = ["sns:GetTopicAttributes", "sns:Publish"]
      resources = [aws_sns_topic.this.arn]

      principals {
        type        = "Service"
        identifiers = ["aps.amazonaws.com"]
      }

      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = [statement.value]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }

  # As AWS documents it for budget notifications to SNS: the budgets service, for budgets of
  # this account only.
  dynamic "statement" {
    for_each = var.budget == null ? [] : [1]

    content {
      sid       = "BudgetsPublish"
      actions   = ["sns:Publish"]
      resources = [aws_sns_topic.this.arn]

      principals {
        type        = "Service"
        identifiers = ["budgets.amazonaws.com"]
      }

      condition {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = ["arn:${data.aws_partition.current.partition}:budgets::${data.aws_caller_identity.current.account_id}:*"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  count = local.topic_policy_needed ? 1 : 0

  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic[0].json
}

# The workspace's alert manager: every alert of its rules to this topic, grouped per alert and
# severity; the page/ticket split is the rules' `severity` label, which the subject carries.
resource "aws_prometheus_alert_manager_definition" "this" {
  count = var.prometheus_workspace_arn == null ? 0 : 1

  workspace_id = local.prometheus_workspace_id
  definition   = <<-EOT
    alertmanager_config: |
      route:
        receiver: sns
        group_by: [alertname, severity]
        group_wait: 30s
        group_interval: 5m
        repeat_interval: 4h
      receivers:
        - name: sns
          sns_configs:
            - topic_arn: ${aws_sns_topic.this.arn}
              sigv4:
                region: ${local.region}
              subject: '[{{ .CommonLabels.severity }}] {{ .CommonLabels.alertname }}'
              attributes:
                source: amp
  EOT

  # The workspace may publish once the topic's policy lets it.
  depends_on = [aws_sns_topic_policy.this]
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

################################################################################
# Metrics extracted from the container logs
################################################################################

resource "aws_cloudwatch_log_metric_filter" "app_errors" {
  name           = "${var.name}-app-errors"
  log_group_name = var.app_log_group_name
  pattern        = "{ $.level = \"ERROR\" }"

  metric_transformation {
    name          = "AppErrors"
    namespace     = local.metric_namespace
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_log_metric_filter" "gateway_429" {
  name           = "${var.name}-gateway-429"
  log_group_name = var.nginx_log_group_name
  pattern        = var.nginx_429_filter_pattern

  metric_transformation {
    name          = "Gateway429"
    namespace     = local.metric_namespace
    value         = "1"
    default_value = "0"
  }
}

################################################################################
# Alarms (every state change goes to the topic, recoveries included)
################################################################################

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  alarm_name          = "${var.name}-5xx-ratio"
  alarm_description   = "More than ${var.error_rate_threshold_percent}% of requests answered 5xx (target + ALB) for ${var.evaluation_periods} periods, with at least ${var.error_rate_min_requests} requests per period."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_threshold_percent
  evaluation_periods  = var.evaluation_periods
  datapoints_to_alarm = var.evaluation_periods
  # No traffic means no errors.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  metric_query {
    id          = "ratio"
    expression  = local.error_rate_expression
    label       = "5xx ratio (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.error_rate_inputs

    content {
      id = metric_query.key

      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        dimensions  = local.alb_dimensions
        period      = var.period_seconds
        stat        = "Sum"
      }
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-5xx-ratio" })
}

resource "aws_cloudwatch_metric_alarm" "latency_p99" {
  alarm_name          = "${var.name}-latency-p99"
  alarm_description   = "p99 target response time above ${var.latency_p99_threshold_seconds}s for ${var.evaluation_periods} periods."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.alb_dimensions
  extended_statistic  = "p99"
  period              = var.period_seconds
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.latency_p99_threshold_seconds
  evaluation_periods  = var.evaluation_periods
  datapoints_to_alarm = var.evaluation_periods
  # The ALB publishes no latency without requests: idle is not slow.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  tags = merge(var.tags, { Name = "${var.name}-latency-p99" })
}

resource "aws_cloudwatch_metric_alarm" "no_healthy_hosts" {
  alarm_name          = "${var.name}-no-healthy-hosts"
  alarm_description   = "No healthy target behind the ALB: every request gets a 503 from the load balancer."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = local.target_dimensions
  statistic           = "Minimum"
  period              = var.period_seconds
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  # A total outage deserves a page after two periods, not after the damping window.
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  # The ALB reports this metric every period while the target group is attached;
  # silence means the target group or the load balancer is gone, which is an outage too.
  treat_missing_data = "breaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  tags = merge(var.tags, { Name = "${var.name}-no-healthy-hosts" })
}

resource "aws_cloudwatch_metric_alarm" "running_tasks" {
  alarm_name          = "${var.name}-running-below-desired"
  alarm_description   = "Fewer tasks running than desired for ${var.running_tasks_evaluation_periods} periods (crash loop, failed placement or image pull)."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = var.running_tasks_evaluation_periods
  datapoints_to_alarm = var.running_tasks_evaluation_periods
  # Container Insights reports both counts every period while the service exists; their
  # absence means the service or Container Insights is gone, which needs a human.
  treat_missing_data = "breaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  metric_query {
    id          = "missing"
    expression  = "desired - running"
    label       = "Desired minus running tasks"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.task_count_inputs

    content {
      id = metric_query.key

      metric {
        namespace   = "ECS/ContainerInsights"
        metric_name = metric_query.value
        dimensions  = local.service_dimensions
        period      = var.period_seconds
        stat        = "Average"
      }
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-running-below-desired" })
}

resource "aws_cloudwatch_metric_alarm" "app_errors" {
  alarm_name          = "${var.name}-app-errors"
  alarm_description   = "The app logged at least ${var.app_error_logs_threshold} ERROR record(s) in a period (unhandled exceptions): see the app log group."
  namespace           = local.metric_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.app_errors.metric_transformation[0].name
  statistic           = "Sum"
  period              = var.period_seconds
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.app_error_logs_threshold
  evaluation_periods  = 1
  # No log line at all (idle service) is not an error.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  tags = merge(var.tags, { Name = "${var.name}-app-errors" })
}

# Only with the waf unit's web ACL. What WAF blocks it answers itself (403, or 429 for the
# rate-based rules): nothing reaches nginx, so neither the 5xx ratio nor the gateway's 429s see
# it. A sustained spike is an attack being held, or legitimate clients being refused.
resource "aws_cloudwatch_metric_alarm" "waf_blocked_requests" {
  count = var.waf_web_acl_name == null ? 0 : 1

  alarm_name          = "${var.name}-waf-blocked-requests"
  alarm_description   = "The web ACL ${var.waf_web_acl_name} blocked more than ${var.waf_blocked_requests_threshold} requests per period for ${var.evaluation_periods} periods: an attack held at the edge, or clients refused by a rule (see the aws-waf-logs- log group)."
  namespace           = "AWS/WAFV2"
  metric_name         = "BlockedRequests"
  dimensions          = { WebACL = var.waf_web_acl_name, Region = local.region, Rule = "ALL" }
  statistic           = "Sum"
  period              = var.period_seconds
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.waf_blocked_requests_threshold
  evaluation_periods  = var.evaluation_periods
  datapoints_to_alarm = var.evaluation_periods
  # WAF publishes nothing for a minute in which it blocked nothing.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  tags = merge(var.tags, { Name = "${var.name}-waf-blocked-requests" })
}

################################################################################
# Dashboard
################################################################################

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = concat([
      {
        type = "metric", x = 0, y = 0, width = 8, height = 6
        properties = {
          title   = "Requests"
          region  = local.region
          stat    = "Sum"
          period  = var.period_seconds
          metrics = [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", var.alb_arn_suffix, { label = "Requests" }]]
        }
      },
      {
        type = "metric", x = 8, y = 0, width = 8, height = 6
        properties = {
          title  = "5xx ratio (%)"
          region = local.region
          period = var.period_seconds
          metrics = concat(
            [[{ expression = local.error_rate_expression, label = "5xx ratio (%)", id = "ratio" }]],
            [for id, metric in local.error_rate_inputs : ["AWS/ApplicationELB", metric, "LoadBalancer", var.alb_arn_suffix, { id = id, stat = "Sum", visible = false }]],
          )
          annotations = { horizontal = [{ label = "Alarm", value = var.error_rate_threshold_percent }] }
        }
      },
      {
        type = "metric", x = 16, y = 0, width = 8, height = 6
        properties = {
          title  = "Latency (target response time, s)"
          region = local.region
          period = var.period_seconds
          metrics = [
            for p in ["p50", "p90", "p99"] :
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix, { stat = p, label = p }]
          ]
          annotations = { horizontal = [{ label = "p99 alarm", value = var.latency_p99_threshold_seconds }] }
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 8, height = 6
        properties = {
          title  = "Targets and tasks"
          region = local.region
          period = var.period_seconds
          metrics = [
            ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", var.target_group_arn_suffix, "LoadBalancer", var.alb_arn_suffix, { stat = "Minimum", label = "Healthy targets" }],
            ["AWS/ApplicationELB", "UnHealthyHostCount", "TargetGroup", var.target_group_arn_suffix, "LoadBalancer", var.alb_arn_suffix, { stat = "Maximum", label = "Unhealthy targets" }],
            ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", var.cluster_name, "ServiceName", var.service_name, { stat = "Average", label = "Running tasks" }],
            ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", var.cluster_name, "ServiceName", var.service_name, { stat = "Average", label = "Desired tasks" }],
          ]
        }
      },
      {
        type = "metric", x = 8, y = 6, width = 8, height = 6
        properties = {
          title  = "ECS CPU and memory (%)"
          region = local.region
          period = var.period_seconds
          metrics = [
            ["AWS/ECS", "CPUUtilization", "ClusterName", var.cluster_name, "ServiceName", var.service_name, { stat = "Average", label = "CPU" }],
            ["AWS/ECS", "MemoryUtilization", "ClusterName", var.cluster_name, "ServiceName", var.service_name, { stat = "Average", label = "Memory" }],
          ]
          yAxis = { left = { min = 0, max = 100 } }
        }
      },
      {
        type = "metric", x = 16, y = 6, width = 8, height = 6
        properties = {
          title  = "Client errors and app errors"
          region = local.region
          stat   = "Sum"
          period = var.period_seconds
          metrics = [
            ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "LoadBalancer", var.alb_arn_suffix, { label = "4xx (gateway/app)" }],
            ["AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", "LoadBalancer", var.alb_arn_suffix, { label = "4xx (ALB)" }],
            [local.metric_namespace, "Gateway429", { label = "429 rate limited (nginx)" }],
            [local.metric_namespace, "AppErrors", { label = "App ERROR logs" }],
          ]
        }
      },
      {
        type = "alarm", x = 0, y = 12, width = 24, height = 3
        properties = {
          title  = "Alarms"
          alarms = [for a in values(local.alarms) : a.arn]
        }
      },
      ], var.waf_web_acl_name == null ? [] : [
      {
        type = "metric", x = 0, y = 15, width = 24, height = 6
        properties = {
          title  = "WAF: requests allowed and blocked at the ALB"
          region = local.region
          stat   = "Sum"
          period = var.period_seconds
          metrics = [
            for metric in ["AllowedRequests", "BlockedRequests", "CountedRequests"] :
            ["AWS/WAFV2", metric, "WebACL", var.waf_web_acl_name, "Region", local.region, "Rule", "ALL", { label = metric }]
          ]
        }
      },
    ])
  })
}
