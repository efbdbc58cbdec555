# Plan-level checks of the observability module against a mocked AWS provider.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  # The provider validates these at plan time even when mocked.
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:sumapi-test-alarms" }
  }
}

variables {
  name                    = "sumapi-test"
  alb_arn_suffix          = "app/sumapi-test/0123456789abcdef"
  target_group_arn_suffix = "targetgroup/sumapi-test-gw/0123456789abcdef"
  cluster_name            = "sumapi-test"
  service_name            = "sumapi-test"
  app_log_group_name      = "/ecs/sumapi-test/app"
  nginx_log_group_name    = "/ecs/sumapi-test/nginx"
}

run "alarms_notify_the_topic_both_ways" {
  command = apply

  assert {
    condition     = length(output.alarm_arns) == 5
    error_message = "Five alarms: 5xx ratio, p99 latency, no healthy hosts, running < desired, app errors."
  }

  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.error_rate, aws_cloudwatch_metric_alarm.latency_p99, aws_cloudwatch_metric_alarm.no_healthy_hosts, aws_cloudwatch_metric_alarm.running_tasks, aws_cloudwatch_metric_alarm.app_errors] :
      a.alarm_actions == toset([aws_sns_topic.this.arn]) && a.ok_actions == toset([aws_sns_topic.this.arn])
    ])
    error_message = "Every alarm must notify the topic on alarm and on recovery."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "No e-mail subscription without alarm_email."
  }
}

run "error_rate_is_a_guarded_ratio" {
  command = apply

  variables {
    error_rate_threshold_percent = 2
    error_rate_min_requests      = 50
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.error_rate.threshold == 2 && aws_cloudwatch_metric_alarm.error_rate.treat_missing_data == "notBreaching"
    error_message = "The 5xx alarm uses the threshold variable and ignores idle periods."
  }

  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.error_rate.metric_query : q.expression if q.id == "ratio"]) == "IF(FILL(req, 0) >= 50, 100 * (FILL(t5xx, 0) + FILL(e5xx, 0)) / FILL(req, 0), 0)"
    error_message = "The 5xx alarm divides target + ELB 5xx by requests, above the minimum volume only."
  }

  assert {
    condition     = toset([for q in aws_cloudwatch_metric_alarm.error_rate.metric_query : one(q.metric).metric_name if length(q.metric) > 0]) == toset(["RequestCount", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"])
    error_message = "The 5xx ratio reads the ALB's request and 5xx counts."
  }
}

# Scanners send malformed requests all day; the gateway answers them with 4xx (proved by
# tests/gateway/test_hostile_requests.py). No alarm may count a 4xx: a flood of them only adds to
# RequestCount, which lowers the 5xx ratio.
run "a_4xx_flood_cannot_raise_the_5xx_alarm" {
  command = apply

  assert {
    condition = alltrue([
      for name in flatten([
        [for q in aws_cloudwatch_metric_alarm.error_rate.metric_query : [for m in q.metric : m.metric_name]],
        [aws_cloudwatch_metric_alarm.latency_p99.metric_name, aws_cloudwatch_metric_alarm.no_healthy_hosts.metric_name],
      ]) : length(regexall("4XX", name)) == 0
    ])
    error_message = "An alarm reads a 4XX metric: garbage traffic would page the on-call."
  }

  assert {
    condition     = strcontains(one([for q in aws_cloudwatch_metric_alarm.error_rate.metric_query : q.expression if q.id == "ratio"]), "/ FILL(req, 0)")
    error_message = "4xx must only dilute the 5xx ratio (they are in RequestCount, the divisor)."
  }
}

run "outage_alarms_treat_silence_as_failure" {
  command = apply

  assert {
    condition     = aws_cloudwatch_metric_alarm.no_healthy_hosts.treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.no_healthy_hosts.threshold == 1 && aws_cloudwatch_metric_alarm.no_healthy_hosts.comparison_operator == "LessThanThreshold"
    error_message = "No healthy hosts: fewer than 1, and missing data is an outage."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.running_tasks.treat_missing_data == "breaching"
    error_message = "Running < desired: missing Container Insights data needs a human."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.latency_p99.extended_statistic == "p99"
    error_message = "Latency alarm on p99."
  }
}

run "log_metric_filters" {
  command = apply

  variables {
    alarm_email = "oncall@example.com"
  }

  assert {
    condition     = aws_cloudwatch_log_metric_filter.app_errors.pattern == "{ $.level = \"ERROR\" }" && aws_cloudwatch_log_metric_filter.app_errors.log_group_name == "/ecs/sumapi-test/app"
    error_message = "App errors come from the app log group's JSON level field."
  }

  assert {
    condition     = aws_cloudwatch_log_metric_filter.gateway_429.pattern == "{ $.status = 429 }" && aws_cloudwatch_log_metric_filter.gateway_429.log_group_name == "/ecs/sumapi-test/nginx"
    error_message = "429s come from the nginx JSON access log."
  }

  assert {
    condition     = aws_sns_topic_subscription.email[0].endpoint == "oncall@example.com"
    error_message = "alarm_email subscribes to the topic."
  }
}

run "threshold_out_of_range_is_refused" {
  command = plan

  variables {
    error_rate_threshold_percent = 150
  }

  expect_failures = [var.error_rate_threshold_percent]
}

run "without_a_workspace_or_a_budget_the_topic_keeps_the_default_policy" {
  command = apply

  assert {
    condition     = length(aws_sns_topic_policy.this) == 0 && length(aws_prometheus_alert_manager_definition.this) == 0 && length(aws_budgets_budget.this) == 0
    error_message = "No prometheus_workspace_arn and no budget: no topic policy (SNS's default one stays), no alert manager definition, no budget."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.waf_blocked_requests) == 0 && !contains(keys(output.alarm_names), "waf_blocked_requests") && length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 7
    error_message = "No web ACL: no WAF alarm, no WAF widget."
  }
}

run "a_budget_alerts_the_topic_on_actual_and_forecast_spend" {
  command = apply

  variables {
    budget = {
      limit_usd           = 130
      cost_allocation_tag = { key = "Environment", value = "dev" }
    }
  }

  assert {
    condition     = aws_budgets_budget.this[0].name == "sumapi-test-monthly" && aws_budgets_budget.this[0].budget_type == "COST" && aws_budgets_budget.this[0].time_unit == "MONTHLY" && aws_budgets_budget.this[0].limit_amount == "130.00" && aws_budgets_budget.this[0].limit_unit == "USD"
    error_message = "A monthly cost budget of the limit, in USD."
  }

  assert {
    condition = toset([
      for n in aws_budgets_budget.this[0].notification : "${n.notification_type} ${n.comparison_operator} ${n.threshold} ${n.threshold_type} ${join(",", n.subscriber_sns_topic_arns)}"
      ]) == toset([
      "ACTUAL GREATER_THAN 80 PERCENTAGE ${aws_sns_topic.this.arn}",
      "ACTUAL GREATER_THAN 100 PERCENTAGE ${aws_sns_topic.this.arn}",
      "FORECASTED GREATER_THAN 100 PERCENTAGE ${aws_sns_topic.this.arn}",
    ])
    error_message = "By default: actual spend past 80% and 100% of the limit, and a forecast past 100%, each to the alarm topic."
  }

  assert {
    condition     = [for f in aws_budgets_budget.this[0].cost_filter : "${f.name} ${join(",", f.values)}"] == ["TagKeyValue user:Environment$dev"]
    error_message = "The budget counts the costs carrying the environment's tag (Budgets' user:<key>$<value>)."
  }

  assert {
    condition     = length(aws_sns_topic_policy.this) == 1 && toset([for s in data.aws_iam_policy_document.topic[0].statement : s.sid]) == toset(["AccountManagesTopic", "CloudWatchAlarmsPublish", "BudgetsPublish"])
    error_message = "A budget needs a topic policy: the default's rights and budgets' publish (no workspace: no aps statement)."
  }

  assert {
    condition = [
      for s in data.aws_iam_policy_document.topic[0].statement : [
        join(",", one(s.principals).identifiers), join(",", s.actions),
        join(" ", sort([for c in s.condition : "${c.test} ${c.variable} ${join(",", c.values)}"])),
      ] if s.sid == "BudgetsPublish"
      ] == [[
        "budgets.amazonaws.com", "sns:Publish",
        "ArnLike aws:SourceArn arn:aws:budgets::123456789012:* StringEquals aws:SourceAccount 123456789012",
    ]]
    error_message = "Only AWS Budgets, for budgets of this account, may publish (as AWS documents it)."
  }

  assert {
    condition     = output.budget_name == "sumapi-test-monthly"
    error_message = "The budget's name is an output."
  }
}

run "a_budget_of_the_whole_account_with_other_alerts" {
  command = apply

  variables {
    budget = {
      limit_usd                 = 200.5
      actual_alert_percentages  = [50]
      forecast_alert_percentage = 120
    }
  }

  assert {
    condition     = length(aws_budgets_budget.this[0].cost_filter) == 0 && aws_budgets_budget.this[0].limit_amount == "200.50"
    error_message = "Without cost_allocation_tag the budget counts every cost of the account."
  }

  assert {
    condition     = toset([for n in aws_budgets_budget.this[0].notification : "${n.notification_type} ${n.threshold}"]) == toset(["ACTUAL 50", "FORECASTED 120"])
    error_message = "The alerts are the percentages given."
  }
}

run "a_budget_of_nothing_is_refused" {
  command = plan

  variables {
    budget = { limit_usd = 0 }
  }

  expect_failures = [var.budget]
}

run "a_web_acl_gets_a_blocked_requests_alarm_and_a_widget" {
  command = apply

  variables {
    waf_web_acl_name               = "sumapi-test"
    waf_blocked_requests_threshold = 250
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.waf_blocked_requests[0].namespace == "AWS/WAFV2" &&
      aws_cloudwatch_metric_alarm.waf_blocked_requests[0].metric_name == "BlockedRequests" &&
      aws_cloudwatch_metric_alarm.waf_blocked_requests[0].dimensions == tomap({ WebACL = "sumapi-test", Region = "eu-west-1", Rule = "ALL" }) &&
      aws_cloudwatch_metric_alarm.waf_blocked_requests[0].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.waf_blocked_requests[0].threshold == 250 &&
      aws_cloudwatch_metric_alarm.waf_blocked_requests[0].evaluation_periods == var.evaluation_periods
    )
    error_message = "The alarm sums the web ACL's blocked requests over all its rules, in the ALB's region, against the threshold."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.waf_blocked_requests[0].alarm_actions == toset([aws_sns_topic.this.arn]) && aws_cloudwatch_metric_alarm.waf_blocked_requests[0].ok_actions == toset([aws_sns_topic.this.arn]) && aws_cloudwatch_metric_alarm.waf_blocked_requests[0].treat_missing_data == "notBreaching"
    error_message = "Wired like the other alarms: the topic both ways; a minute without blocks is not a breach."
  }

  assert {
    condition     = output.alarm_names.waf_blocked_requests == "sumapi-test-waf-blocked-requests" && length(output.alarm_arns) == 6
    error_message = "The WAF alarm is one of the module's alarms (outputs, the dashboard's alarm widget)."
  }

  assert {
    condition = [
      for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : [for m in w.properties.metrics : m[1]] if startswith(w.properties.title, "WAF")
    ] == [["AllowedRequests", "BlockedRequests", "CountedRequests"]]
    error_message = "The dashboard shows what the web ACL allowed, blocked and counted."
  }
}

run "a_workspace_may_publish_to_the_topic_and_alarms_still_can" {
  command = apply

  variables {
    prometheus_workspace_arn = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0000-0000-0000-000000000000"
  }

  assert {
    condition     = length(aws_sns_topic_policy.this) == 1 && aws_sns_topic_policy.this[0].arn == aws_sns_topic.this.arn
    error_message = "A workspace gets a policy on the alarm topic."
  }

  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.topic[0].statement : [
        for c in s.condition : "${c.test} ${c.variable} ${join(",", c.values)}"
      ] if s.sid == "PrometheusAlertManagerPublishes"
      ])) == toset([
      "ArnEquals aws:SourceArn ${var.prometheus_workspace_arn}",
      "StringEquals aws:SourceAccount 123456789012",
    ])
    error_message = "Only that workspace of this account may publish as aps.amazonaws.com."
  }

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.topic[0].statement : s.sid]) == toset(["AccountManagesTopic", "CloudWatchAlarmsPublish", "PrometheusAlertManagerPublishes"])
    error_message = "The policy replaces SNS's default one: it must keep the account's rights and the CloudWatch alarms' publish."
  }

  assert {
    condition     = aws_prometheus_alert_manager_definition.this[0].workspace_id == "ws-0123abcd-0000-0000-0000-000000000000"
    error_message = "The alert manager definition belongs to the workspace of prometheus_workspace_arn."
  }

  assert {
    condition = yamldecode(yamldecode(aws_prometheus_alert_manager_definition.this[0].definition).alertmanager_config).receivers == [{
      name = "sns"
      sns_configs = [{
        topic_arn  = aws_sns_topic.this.arn
        sigv4      = { region = "eu-west-1" }
        subject    = "[{{ .CommonLabels.severity }}] {{ .CommonLabels.alertname }}"
        attributes = { source = "amp" }
      }]
    }]
    error_message = "Every alert goes to the alarm topic (SigV4 in the topic's region), its subject naming severity and alert."
  }

  assert {
    condition     = yamldecode(yamldecode(aws_prometheus_alert_manager_definition.this[0].definition).alertmanager_config).route.receiver == "sns"
    error_message = "The route's only receiver is the topic."
  }
}

run "a_malformed_workspace_arn_is_refused" {
  command = plan

  variables {
    prometheus_workspace_arn = "ws-0123abcd"
  }

  expect_failures = [var.prometheus_workspace_arn]
}
