data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  secret_name  = coalesce(var.secret_name, "${var.name}/api-keys")
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
}

################################################################################
# KMS customer managed key
################################################################################

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:This is a KMS key policy: Resource "*" means this key only, and the root statement is AWS's default policy that delegates access to IAM.
  #checkov:skip=CKV_AWS_111:Same key policy: writes are limited to this key by construction.
  #checkov:skip=CKV_AWS_356:Same key policy: "*" is the only valid Resource in a key policy and denotes the key itself.
  # The account root keeps full control so that the key can never become unmanageable
  # and IAM policies in the account (e.g. the ECS execution role's kms:Decrypt) take effect.
  statement {
    sid       = "AccountRootFullAccess"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_administrator_arns) > 0 ? [1] : []

    content {
      sid = "KeyAdministration"
      actions = [
        "kms:CancelKeyDeletion",
        "kms:Create*",
        "kms:Delete*",
        "kms:Describe*",
        "kms:Disable*",
        "kms:Enable*",
        "kms:Get*",
        "kms:List*",
        "kms:Put*",
        "kms:Revoke*",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:Update*",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.kms_key_administrator_arns
      }
    }
  }

  # Users may only use the key through Secrets Manager, i.e. to read and write the secret.
  dynamic "statement" {
    for_each = length(var.kms_key_user_arns) > 0 ? [1] : []

    content {
      sid       = "KeyUseThroughSecretsManager"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.kms_key_user_arns
      }

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }

  # Services acting on resources of this account (e.g. CloudWatch Logs encrypting a
  # log group, CloudWatch alarms publishing to an encrypted topic).
  dynamic "statement" {
    for_each = length(var.kms_key_service_principals) > 0 ? [1] : []

    content {
      sid       = "KeyUseByServices"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = var.kms_key_service_principals
      }

      # Only on behalf of this account's resources (the confused-deputy guard).
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "Encrypts the API keys secret of ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

################################################################################
# Secrets Manager secret (metadata only: the value is written by the key tool,
# so it never appears in code, plans or state)
################################################################################

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:The API keys are client credentials issued and rotated by the key tool (a new key per client, then revoke the old one); there is no Lambda rotation for them.
  name                    = local.secret_name
  description             = "API keys of ${var.name} (client:key,client:key), read by nginx as API_KEYS. Written by the key tool."
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = merge(var.tags, { Name = local.secret_name })
}
