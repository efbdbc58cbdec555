# Container log groups (the writer owns its log groups: observability only reads them).

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through log_kms_key_arn (its key policy must trust CloudWatch Logs); without it CloudWatch Logs encrypts at rest with its own keys.
  for_each = toset(local.container_names)

  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

# Container Insights writes the cluster's performance events here. Left to AWS, the group is
# created on first use without retention (kept forever) and outlives a destroy; made here,
# before the cluster (cluster.tf), it expires like the container logs and goes with the stack.
resource "aws_cloudwatch_log_group" "container_insights" {
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through log_kms_key_arn, as for the container log groups.
  count = var.container_insights ? 1 : 0

  name              = "/aws/ecs/containerinsights/${var.name}/performance"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-container-insights" })
}
