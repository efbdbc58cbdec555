# The web ACL's logs: a CloudWatch Logs group (WAF requires the aws-waf-logs- prefix), the
# resource policy that lets the log delivery service write to it, and what WAF sends there.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  log_group_name = "aws-waf-logs-${var.name}"
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through log_kms_key_arn (its key policy must trust CloudWatch Logs); without it CloudWatch Logs encrypts at rest with its own keys.
  count = var.enabled ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, { Name = local.log_group_name })
}

# WAF would add this policy itself on the first PutLoggingConfiguration (with the caller's
# logs:PutResourcePolicy right), outside the state; here it is declared, scoped to this group
# and to deliveries from this account, as AWS documents it for WAF's CloudWatch Logs destination.
data "aws_iam_policy_document" "log_delivery" {
  count = var.enabled ? 1 : 0

  statement {
    sid       = "WafLogDelivery"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[0].arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "this" {
  count = var.enabled ? 1 : 0

  policy_name     = local.log_group_name
  policy_document = data.aws_iam_policy_document.log_delivery[0].json
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = var.enabled ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.this[0].arn]

  # No redacted_fields: a logging configuration's redaction covers a header only where a rule
  # matches on it, and not the sampled requests; the web ACL's data protection (main.tf) hashes
  # the API key everywhere WAF shows a request.

  dynamic "logging_filter" {
    for_each = var.log_all_requests ? [] : [1]

    content {
      default_behavior = "DROP"

      filter {
        behavior    = "KEEP"
        requirement = "MEETS_ANY"

        condition {
          action_condition {
            action = "BLOCK"
          }
        }

        condition {
          action_condition {
            action = "COUNT"
          }
        }
      }
    }
  }

  depends_on = [aws_cloudwatch_log_resource_policy.this]
}
