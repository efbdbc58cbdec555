data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.this[0].arn : var.oidc_provider_arn

  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  # Exact subjects only (no wildcards): a fork, another branch or a pull request
  # from elsewhere produces a different sub claim and cannot assume the role.
  subjects = concat(
    [for b in var.github_branches : "repo:${var.github_repository}:ref:refs/heads/${b}"],
    [for e in var.github_environments : "repo:${var.github_repository}:environment:${e}"],
  )
}

resource "aws_iam_openid_connect_provider" "this" {
  count = var.create_oidc_provider ? 1 : 0

  url             = "https://${local.oidc_host}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = var.oidc_thumbprints

  tags = merge(var.tags, { Name = local.oidc_host })
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = local.subjects
    }
  }

  lifecycle {
    precondition {
      condition     = var.create_oidc_provider || var.oidc_provider_arn != null
      error_message = "oidc_provider_arn is required when create_oidc_provider = false."
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Assumed by GitHub Actions of ${var.github_repository} (OIDC) to push images and deploy"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = var.max_session_duration

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = length(local.subjects) > 0
      error_message = "Give at least one of github_branches or github_environments: the role must be assumable by something."
    }
  }
}

data "aws_iam_policy_document" "deploy" {
  dynamic "statement" {
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"] # no resource-level permissions exist for this action
    }
  }

  dynamic "statement" {
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid = "EcrPushOwnRepositories"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:DescribeImageScanFindings",
        "ecr:DescribeImages",
        "ecr:GetDownloadUrlForLayer",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ]
      resources = var.ecr_repository_arns
    }
  }

  dynamic "statement" {
    for_each = var.state_bucket_name == null ? [] : [1]

    content {
      sid       = "StateBucketList"
      actions   = ["s3:GetBucketVersioning", "s3:ListBucket"]
      resources = ["arn:${local.partition}:s3:::${var.state_bucket_name}"]
    }
  }

  dynamic "statement" {
    for_each = var.state_bucket_name == null ? [] : [1]

    content {
      sid       = "StateObjects"
      actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${var.state_bucket_name}/*"]
    }
  }

  dynamic "statement" {
    for_each = var.lock_table_name == null ? [] : [1]

    content {
      sid       = "StateLock"
      actions   = ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem"]
      resources = ["arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.lock_table_name}"]
    }
  }

  dynamic "statement" {
    for_each = var.ecs_cluster_name == null ? [] : [1]

    content {
      sid       = "EcsDeployOwnServices"
      actions   = ["ecs:DescribeServices", "ecs:UpdateService"]
      resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${var.ecs_cluster_name}/*"]
    }
  }

  dynamic "statement" {
    for_each = var.ecs_cluster_name == null ? [] : [1]

    content {
      sid = "EcsTaskDefinitions"
      # Task definition registration and reads have no resource-level permissions.
      actions   = ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.ecs_execution_role_arns) > 0 ? [1] : []

    content {
      sid       = "PassOwnTaskRolesToEcs"
      actions   = ["iam:PassRole"]
      resources = var.ecs_execution_role_arns

      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["ecs-tasks.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  count = length(var.ecr_repository_arns) > 0 || var.state_bucket_name != null || var.lock_table_name != null || var.ecs_cluster_name != null ? 1 : 0

  name   = "push-images-deploy-service-state"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.deploy.json
}

# A full `terragrunt apply` creates VPCs, load balancers, IAM roles and KMS keys: no
# narrow policy covers it. The caller chooses the managed policies (see README).
resource "aws_iam_role_policy_attachment" "apply" {
  for_each = var.apply_policy_arns

  role       = aws_iam_role.this.name
  policy_arn = each.value
}
