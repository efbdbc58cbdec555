# The web ACL in front of the ALB: rate-based rules that hold across all tasks, the health
# probes' exception, AWS managed rule groups; its association with the ALB. Logs: logging.tf.

locals {
  # What one task's nginx lets a key through in one evaluation window: its rate over the
  # window plus the burst it accepts at once (nginx/README.md, limit_req).
  per_task_allowance = {
    for class, limit in var.gateway_rate_limits :
    class => limit.per_second * var.rate_limit_window_seconds + limit.burst
  }

  # The rate-based rules' limits, requests per window across all tasks (README of this module):
  # - per API key: one task's allowance of a client on the API, whatever the task count;
  # - per client IP: one client's API allowance plus what the same IP may send without a key
  #   (docs, a first request, key guessing), which nginx counts per IP.
  rate_limits = {
    api_key   = local.per_task_allowance.sum
    client_ip = local.per_task_allowance.sum + local.per_task_allowance.unauthenticated
  }

  # Rule priorities: WAF evaluates the lowest first and stops at the first Allow or Block.
  # Volume first (a flood is held whatever it asks for), then the health probes (only volume
  # may stop them), then the managed groups (reputation before content).
  priorities = {
    rate_per_client_ip                    = 0
    rate_per_api_key                      = 1
    health_probes                         = 2
    AWSManagedRulesAmazonIpReputationList = 3
    AWSManagedRulesKnownBadInputsRuleSet  = 4
    AWSManagedRulesCommonRuleSet          = 5
  }

  # The AWS managed rule groups' rules the API needs counted instead of blocked (still in the
  # metrics and the logs). Why each one (README of this module):
  # - SizeRestrictions_BODY blocks bodies over 8 KB; the API accepts bodies up to its own limit
  #   (16 KiB by default) and nginx answers a larger one with a problem+json 413.
  # - NoUserAgent_HEADER blocks requests without a User-Agent; the API's contract asks for a key,
  #   not a User-Agent, and the clients of a developer API (scripts, load generators) often
  #   send none.
  common_rule_set_counted = ["SizeRestrictions_BODY", "NoUserAgent_HEADER"]

  # What a rate-limited client gets: nginx's 429 problem (nginx/templates/problems.conf), with
  # the window as Retry-After (WAF blocks the key until its count in the window falls below
  # the limit). No request_id: the request never reached nginx.
  rate_limited_body = jsonencode({
    type   = "about:blank"
    title  = "Too Many Requests"
    status = 429
    detail = "Rate limit exceeded; retry after ${var.rate_limit_window_seconds} s."
  })

  health_paths_regex = "^(${join("|", var.health_check_paths)})$"

  metric_prefix = replace(var.name, "-", "_")
}

resource "aws_wafv2_web_acl" "this" {
  count = var.enabled ? 1 : 0

  name        = var.name
  description = "In front of the ALB of ${var.name}: global rate limits per API key and per client IP, AWS managed rule groups, modules/waf"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  custom_response_body {
    key          = "rate-limited"
    content_type = "APPLICATION_JSON"
    content      = local.rate_limited_body
  }

  # The API key never reaches the logs or the sampled requests in clear: a one-way hash still
  # tells one key's requests from another's.
  data_protection_config {
    data_protection {
      action                     = "HASH"
      exclude_rate_based_details = false
      exclude_rule_match_details = false

      field {
        field_type = "SINGLE_HEADER"
        field_keys = [var.api_key_header]
      }
    }
  }

  rule {
    name     = "rate-per-client-ip"
    priority = local.priorities.rate_per_client_ip

    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "rate-limited"

          response_header {
            name  = "Retry-After"
            value = tostring(var.rate_limit_window_seconds)
          }
        }
      }
    }

    statement {
      # The address the ALB received the connection from: a client cannot choose it
      # (X-Forwarded-For is not read).
      rate_based_statement {
        aggregate_key_type    = "IP"
        evaluation_window_sec = var.rate_limit_window_seconds
        limit                 = local.rate_limits.client_ip
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.metric_prefix}_rate_per_client_ip"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-per-api-key"
    priority = local.priorities.rate_per_api_key

    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "rate-limited"

          response_header {
            name  = "Retry-After"
            value = tostring(var.rate_limit_window_seconds)
          }
        }
      }
    }

    statement {
      # Requests without the header are not counted by this rule (the per-IP rule counts them).
      rate_based_statement {
        aggregate_key_type    = "CUSTOM_KEYS"
        evaluation_window_sec = var.rate_limit_window_seconds
        limit                 = local.rate_limits.api_key

        custom_key {
          header {
            name = var.api_key_header

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.metric_prefix}_rate_per_api_key"
      sampled_requests_enabled   = true
    }
  }

  # ALB target health checks go from the load balancer to the targets and never pass a web
  # ACL. This exception is for the probes that come through the listener: the deploy's smoke
  # test, the runbook's curl, uptime monitors.
  rule {
    name     = "health-probes"
    priority = local.priorities.health_probes

    action {
      allow {}
    }

    statement {
      and_statement {
        statement {
          regex_match_statement {
            regex_string = "^(GET|HEAD)$"

            field_to_match {
              method {}
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        statement {
          regex_match_statement {
            regex_string = local.health_paths_regex

            field_to_match {
              uri_path {}
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.metric_prefix}_health_probes"
      sampled_requests_enabled   = true
    }
  }

  # Sources AWS threat intelligence lists (bots, reconnaissance); its DDoS list counts by default.
  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = local.priorities.AWSManagedRulesAmazonIpReputationList

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.metric_prefix}_AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  # Request patterns known to exploit software (Log4j, Java deserialisation, exploitable paths).
  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = local.priorities.AWSManagedRulesKnownBadInputsRuleSet

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.metric_prefix}_AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # OWASP-style content rules, two of them counted (local.common_rule_set_counted).
  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = local.priorities.AWSManagedRulesCommonRuleSet

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        dynamic "rule_action_override" {
          for_each = local.common_rule_set_counted

          content {
            name = rule_action_override.value

            action_to_use {
              count {}
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${local.metric_prefix}_AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.metric_prefix
    sampled_requests_enabled   = true
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    # WAF's bounds of a rate-based rule's limit (provider 5.x: 10 to 2,000,000,000).
    precondition {
      condition     = alltrue([for limit in values(local.rate_limits) : limit >= 10 && limit <= 2000000000])
      error_message = "The rate-based limits derived from gateway_rate_limits and rate_limit_window_seconds must be between 10 and 2,000,000,000 requests per window."
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.enabled ? 1 : 0

  resource_arn = var.alb_arn
  web_acl_arn  = aws_wafv2_web_acl.this[0].arn
}
