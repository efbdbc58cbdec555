# Plan-level checks of the waf module against a mocked AWS provider: the association, the
# rules' order, the limits derived from the gateway's, the health probes' exception, the logs.
mock_provider "aws" {
  mock_resource "aws_wafv2_web_acl" {
    defaults = {
      arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/sumapi-test/00000000-0000-0000-0000-000000000000"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-sumapi-test"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
}

variables {
  name    = "sumapi-test"
  alb_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/sumapi-test/0123456789abcdef"
  gateway_rate_limits = {
    sum             = { per_second = 5, burst = 10 }
    unauthenticated = { per_second = 2, burst = 10 }
  }
}

run "the_web_acl_protects_the_alb" {
  command = apply

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 1 && aws_wafv2_web_acl_association.this[0].resource_arn == var.alb_arn && aws_wafv2_web_acl_association.this[0].web_acl_arn == aws_wafv2_web_acl.this[0].arn
    error_message = "The web ACL must be associated with the ALB given as alb_arn."
  }

  assert {
    condition     = aws_wafv2_web_acl.this[0].scope == "REGIONAL" && length(aws_wafv2_web_acl.this[0].default_action[0].allow) == 1
    error_message = "A regional web ACL (an ALB's) that lets through what no rule stops."
  }

  assert {
    condition     = aws_wafv2_web_acl.this[0].visibility_config[0].cloudwatch_metrics_enabled && aws_wafv2_web_acl.this[0].visibility_config[0].sampled_requests_enabled && alltrue([for r in aws_wafv2_web_acl.this[0].rule : r.visibility_config[0].cloudwatch_metrics_enabled && r.visibility_config[0].sampled_requests_enabled])
    error_message = "The web ACL and every rule must publish metrics and keep sampled requests."
  }

  assert {
    condition     = output.web_acl_name == "sumapi-test" && output.web_acl_arn == aws_wafv2_web_acl.this[0].arn && output.enabled
    error_message = "The outputs name the web ACL (its name is the metrics' WebACL dimension)."
  }
}

run "volume_first_then_the_health_probes_then_reputation_then_content" {
  command = apply

  assert {
    condition = output.rule_priorities == {
      rate-per-client-ip                    = 0
      rate-per-api-key                      = 1
      health-probes                         = 2
      AWSManagedRulesAmazonIpReputationList = 3
      AWSManagedRulesKnownBadInputsRuleSet  = 4
      AWSManagedRulesCommonRuleSet          = 5
    }
    error_message = "Rule order: both rate-based rules, the health probes' exception, then IP reputation, known bad inputs and the common rule set."
  }

  assert {
    condition     = length(distinct(values(output.rule_priorities))) == length(aws_wafv2_web_acl.this[0].rule)
    error_message = "Every rule has a priority of its own."
  }
}

run "the_limits_are_one_tasks_allowance_per_window" {
  command = apply

  # One task lets a client through 5/s over 60 s plus a burst of 10; an IP also gets the
  # unauthenticated allowance, 2/s over 60 s plus 10.
  assert {
    condition     = output.rate_limits == { api_key = 5 * 60 + 10, client_ip = (5 * 60 + 10) + (2 * 60 + 10) }
    error_message = "Per key: the per-client allowance of one task per window; per IP: that plus the unauthenticated allowance."
  }

  assert {
    condition = [
      for r in aws_wafv2_web_acl.this[0].rule : [
        r.statement[0].rate_based_statement[0].limit,
        r.statement[0].rate_based_statement[0].evaluation_window_sec,
        r.statement[0].rate_based_statement[0].aggregate_key_type,
      ] if r.name == "rate-per-api-key"
    ] == [[310, 60, "CUSTOM_KEYS"]]
    error_message = "The per-key rule counts over the window with the per-key limit."
  }

  assert {
    condition = [
      for r in aws_wafv2_web_acl.this[0].rule : [
        for k in r.statement[0].rate_based_statement[0].custom_key : [k.header[0].name, [for t in k.header[0].text_transformation : t.type]]
      ] if r.name == "rate-per-api-key"
    ] == [[["x-api-key", ["NONE"]]]]
    error_message = "The per-key rule aggregates on the API key header's value, untransformed."
  }

  assert {
    condition = [
      for r in aws_wafv2_web_acl.this[0].rule : [
        r.statement[0].rate_based_statement[0].limit,
        r.statement[0].rate_based_statement[0].aggregate_key_type,
        length(r.statement[0].rate_based_statement[0].forwarded_ip_config),
      ] if r.name == "rate-per-client-ip"
    ] == [[440, "IP", 0]]
    error_message = "The per-IP rule aggregates on the connection's address (never a forwarded header) with the per-IP limit."
  }

  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.this[0].rule : (
        r.action[0].block[0].custom_response[0].response_code == 429 &&
        [for h in r.action[0].block[0].custom_response[0].response_header : [h.name, h.value]] == [["Retry-After", "60"]] &&
        r.action[0].block[0].custom_response[0].custom_response_body_key == "rate-limited"
      ) if startswith(r.name, "rate-")
    ])
    error_message = "A rate-limited request is answered 429 with Retry-After = the window, like nginx's."
  }

  assert {
    condition     = [for b in aws_wafv2_web_acl.this[0].custom_response_body : jsondecode(b.content) if b.key == "rate-limited"] == [{ type = "about:blank", title = "Too Many Requests", status = 429, detail = "Rate limit exceeded; retry after 60 s." }]
    error_message = "The 429 body is the gateway's problem shape."
  }
}

run "a_longer_window_scales_the_limits" {
  command = apply

  variables {
    rate_limit_window_seconds = 300
    gateway_rate_limits = {
      sum             = { per_second = 7, burst = 3 }
      unauthenticated = { per_second = 1, burst = 0 }
    }
  }

  assert {
    condition     = output.rate_limits == { api_key = 7 * 300 + 3, client_ip = (7 * 300 + 3) + 1 * 300 }
    error_message = "The limits follow the gateway's limits and the window."
  }

  assert {
    condition     = alltrue([for r in aws_wafv2_web_acl.this[0].rule : r.statement[0].rate_based_statement[0].evaluation_window_sec == 300 if startswith(r.name, "rate-")])
    error_message = "Both rate-based rules count over the window."
  }
}

run "limits_beyond_what_waf_takes_are_refused" {
  command = plan

  variables {
    gateway_rate_limits = {
      sum             = { per_second = 40000000, burst = 10 }
      unauthenticated = { per_second = 2, burst = 10 }
    }
  }

  expect_failures = [aws_wafv2_web_acl.this]
}

run "a_window_waf_does_not_offer_is_refused" {
  command = plan

  variables {
    rate_limit_window_seconds = 30
  }

  expect_failures = [var.rate_limit_window_seconds]
}

run "the_health_probes_pass_the_managed_rules_but_not_the_rate_limits" {
  command = apply

  assert {
    condition     = [for r in aws_wafv2_web_acl.this[0].rule : length(r.action[0].allow) if r.name == "health-probes"] == [1]
    error_message = "The health probes' rule allows (and so ends the evaluation)."
  }

  assert {
    condition = [
      for r in aws_wafv2_web_acl.this[0].rule : [
        for s in r.statement[0].and_statement[0].statement : [
          s.regex_match_statement[0].regex_string,
          length(s.regex_match_statement[0].field_to_match[0].method) == 1 ? "method" : length(s.regex_match_statement[0].field_to_match[0].uri_path) == 1 ? "uri_path" : "other",
        ]
      ] if r.name == "health-probes"
    ] == [[["^(GET|HEAD)$", "method"], ["^(/healthz|/readyz)$", "uri_path"]]]
    error_message = "Only GET and HEAD of exactly the health paths are the exception."
  }

  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.this[0].rule :
      output.rule_priorities["health-probes"] < r.priority if length(r.statement[0].managed_rule_group_statement) > 0
      ]) && alltrue([
      for r in aws_wafv2_web_acl.this[0].rule :
      r.priority < output.rule_priorities["health-probes"] if length(r.statement[0].rate_based_statement) > 0
    ])
    error_message = "The exception comes after the rate-based rules (a flood of probes is held) and before every managed group."
  }
}

run "the_managed_groups_count_only_what_the_api_needs" {
  command = apply

  assert {
    condition = {
      for r in aws_wafv2_web_acl.this[0].rule : r.statement[0].managed_rule_group_statement[0].name => join(" ", sort([
        for o in r.statement[0].managed_rule_group_statement[0].rule_action_override : o.name if length(o.action_to_use[0].count) == 1
      ])) if length(r.statement[0].managed_rule_group_statement) > 0
      } == {
      AWSManagedRulesAmazonIpReputationList = ""
      AWSManagedRulesKnownBadInputsRuleSet  = ""
      AWSManagedRulesCommonRuleSet          = "NoUserAgent_HEADER SizeRestrictions_BODY"
    }
    error_message = "The three AWS groups, each blocking, but the common rule set's body size and User-Agent rules counted."
  }

  assert {
    condition     = alltrue([for r in aws_wafv2_web_acl.this[0].rule : length(r.override_action[0].none) == 1 && r.statement[0].managed_rule_group_statement[0].vendor_name == "AWS" if length(r.statement[0].managed_rule_group_statement) > 0])
    error_message = "The groups' own actions apply (override none)."
  }
}

run "the_api_key_is_hashed_wherever_waf_shows_a_request" {
  command = apply

  assert {
    condition = [
      for p in aws_wafv2_web_acl.this[0].data_protection_config[0].data_protection :
      p.action == "HASH" && p.field[0].field_type == "SINGLE_HEADER" && p.field[0].field_keys == tolist(["x-api-key"]) && !p.exclude_rate_based_details && !p.exclude_rule_match_details
    ] == [true]
    error_message = "The API key header is hashed in logs, sampled requests and rate-based details."
  }
}

run "logs_of_blocked_and_counted_requests_go_to_the_waf_log_group" {
  command = apply

  variables {
    log_retention_days = 30
  }

  assert {
    condition     = aws_cloudwatch_log_group.this[0].name == "aws-waf-logs-sumapi-test" && aws_cloudwatch_log_group.this[0].retention_in_days == 30 && output.log_group_name == "aws-waf-logs-sumapi-test"
    error_message = "WAF logs to a group named aws-waf-logs-<name> with the retention given."
  }

  assert {
    condition     = aws_wafv2_web_acl_logging_configuration.this[0].resource_arn == aws_wafv2_web_acl.this[0].arn && aws_wafv2_web_acl_logging_configuration.this[0].log_destination_configs == toset([aws_cloudwatch_log_group.this[0].arn])
    error_message = "The web ACL's logs go to its log group."
  }

  assert {
    condition = [
      for f in aws_wafv2_web_acl_logging_configuration.this[0].logging_filter[0].filter : "${f.behavior} ${f.requirement} ${join(" ", sort([for c in f.condition : c.action_condition[0].action]))}"
    ] == ["KEEP MEETS_ANY BLOCK COUNT"] && aws_wafv2_web_acl_logging_configuration.this[0].logging_filter[0].default_behavior == "DROP"
    error_message = "Only blocked and counted requests are logged (the ALB's access logs have the rest)."
  }

  assert {
    condition = alltrue([
      for st in data.aws_iam_policy_document.log_delivery[0].statement : (
        one(st.principals).identifiers == toset(["delivery.logs.amazonaws.com"]) &&
        st.actions == toset(["logs:CreateLogStream", "logs:PutLogEvents"]) &&
        st.resources == toset(["${aws_cloudwatch_log_group.this[0].arn}:*"]) &&
        toset(flatten([for c in st.condition : c.values if c.variable == "aws:SourceAccount"])) == toset(["123456789012"])
      )
    ]) && length(data.aws_iam_policy_document.log_delivery[0].statement) == 1
    error_message = "Only the log delivery service, from this account, may write to the group, and only there."
  }

  assert {
    condition     = aws_cloudwatch_log_resource_policy.this[0].policy_document == data.aws_iam_policy_document.log_delivery[0].json
    error_message = "The resource policy is that document."
  }
}

run "every_request_is_logged_when_asked" {
  command = apply

  variables {
    log_all_requests = true
  }

  assert {
    condition     = length(aws_wafv2_web_acl_logging_configuration.this[0].logging_filter) == 0
    error_message = "log_all_requests: no filter."
  }
}

run "disabled_creates_nothing_and_outputs_null" {
  command = apply

  variables {
    enabled = false
  }

  assert {
    condition     = length(aws_wafv2_web_acl.this) == 0 && length(aws_wafv2_web_acl_association.this) == 0 && length(aws_cloudwatch_log_group.this) == 0 && length(aws_wafv2_web_acl_logging_configuration.this) == 0 && length(aws_cloudwatch_log_resource_policy.this) == 0
    error_message = "enabled = false must create nothing."
  }

  assert {
    condition     = !output.enabled && output.web_acl_arn == null && output.web_acl_name == null && output.log_group_name == null && output.rule_priorities == {}
    error_message = "A disabled web ACL leaves null outputs (observability then makes no WAF alarm)."
  }
}

run "a_network_load_balancer_is_refused" {
  command = plan

  variables {
    alb_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/sumapi-test/0123456789abcdef"
  }

  expect_failures = [var.alb_arn]
}
