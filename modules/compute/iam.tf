# IAM: the execution role (the agent: pull, log, read the secret) and the task role (the containers).

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix          = "${substr(var.name, 0, 24)}-exec-"
  description          = "ECS task execution role of ${var.name}: pull its images, write its logs, read its API keys"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${var.name}-execution" })
}

data "aws_iam_policy_document" "execution" {
  # GetAuthorizationToken is account-wide by design: it has no resource-level permissions.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "EcrPullOwnRepositories"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = values(var.repository_arns)
  }

  statement {
    sid       = "WriteOwnLogGroups"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for g in aws_cloudwatch_log_group.this : "${g.arn}:*"]
  }

  statement {
    sid       = "ReadApiKeysSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.api_keys_secret_arn]
  }

  statement {
    sid       = "DecryptApiKeysSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.api_keys_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-read-api-keys"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# App and nginx call no AWS API, so without the collector the role has no policy; it exists
# so that they never fall back to the execution role's rights and so that each need (the
# collector's remote write below) gets its own least-privilege policy.
resource "aws_iam_role" "task" {
  name_prefix          = "${substr(var.name, 0, 24)}-task-"
  description          = "ECS task role of ${var.name} (no permissions unless a Prometheus collector runs)"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { Name = "${var.name}-task" })
}

# The collector sidecar is the one container that calls AWS: remote write to one workspace.
data "aws_iam_policy_document" "task_remote_write" {
  count = local.collector_enabled ? 1 : 0

  statement {
    sid       = "RemoteWriteOwnWorkspace"
    actions   = ["aps:RemoteWrite"]
    resources = [var.prometheus_workspace_arn]
  }
}

resource "aws_iam_role_policy" "task_remote_write" {
  count = local.collector_enabled ? 1 : 0

  name   = "prometheus-remote-write"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_remote_write[0].json
}
