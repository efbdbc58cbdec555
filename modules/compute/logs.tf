# Container log groups (the writer owns its log groups: observability only reads them).

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through log_kms_key_arn (its key policy must trust CloudWatch Logs); without it CloudWatch Logs encrypts at rest with its own keys.
  for_each = toset(local.container_names)

  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
