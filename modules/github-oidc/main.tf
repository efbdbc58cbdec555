data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.this[0].arn : var.oidc_provider_arn

  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  # Exact environment subjects only (no wildcards, no branch subjects): a job that names a
  # GitHub environment gets sub = repo:<repo>:environment:<env> whatever its branch, so the
  # branch is restricted by the environment's deployment branch rule on GitHub's side.
  # Forks, other repositories and jobs without that environment get another sub.
  # Each role trusts its own environments: every step of a job may mint the job's OIDC token,
  # so the job's environment, not the step, decides which role the job's code can assume.
  trusted_environments = merge(
    { apply = var.github_environments, push = var.push_github_environments },
    local.create_plan ? { plan = var.plan_github_environments } : {},
  )
  subjects = {
    for role, environments in local.trusted_environments :
    role => [for e in environments : "repo:${var.github_repository}:environment:${e}"]
  }
  create_plan = length(var.plan_github_environments) > 0
  # An environment in two sets would let one job assume both roles (the images job the apply
  # role, a pull request the push role): every pair must be disjoint.
  trusting_roles = keys(local.trusted_environments)
  shared_environments = sort(distinct(flatten([
    for i, a in local.trusting_roles : [
      for b in slice(local.trusting_roles, i + 1, length(local.trusting_roles)) :
      tolist(setintersection(local.trusted_environments[a], local.trusted_environments[b]))
    ]
  ])))

  # Names are known before anything exists, so the boundary can name the roles it protects
  # without a dependency cycle (the roles carry the boundary).
  role_names = merge(
    { apply = var.name, push = "${var.name}-push" },
    local.create_plan ? { plan = "${var.name}-plan" } : {},
  )
  role_arns = { for k, n in local.role_names : k => "arn:${local.partition}:iam::${local.account_id}:role/${n}" }

  # Terraform state: one object per unit, <prefix><unit>/terraform.tfstate (the root
  # terragrunt.hcl's key), and with S3 native locking a <key>.tflock object beside it.
  bucket_arn      = var.state_bucket_name == null ? null : "arn:${local.partition}:s3:::${var.state_bucket_name}"
  state_keys      = [for u in var.state_units : "${local.bucket_arn}/${var.state_key_prefix}${u}/terraform.tfstate"]
  state_lock_keys = [for k in local.state_keys : "${k}.tflock"]
  push_state_keys = [for u in var.push_state_units : "${local.bucket_arn}/${var.state_key_prefix}${u}/terraform.tfstate"]
  lock_table_arn  = var.lock_table_name == null ? null : "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.lock_table_name}"

  # The stack's resources, by the names its modules give them (var.stack_name is the `name`
  # every other module of the environment gets). Known before anything exists, so the roles
  # are applied first and no unit needs another's outputs to scope them.
  stack                = var.stack_name
  arn                  = "arn:${local.partition}"
  workload_boundary    = "${local.arn}:iam::${local.account_id}:policy/${local.stack}-workload-boundary"
  repository_arns      = ["${local.arn}:ecr:${local.region}:${local.account_id}:repository/${local.stack}/*"]
  stack_role_arns      = ["${local.arn}:iam::${local.account_id}:role/${local.stack}-*"]
  task_role_arns       = ["${local.arn}:iam::${local.account_id}:role/${local.stack}-exec-*", "${local.arn}:iam::${local.account_id}:role/${local.stack}-task-*"]
  flow_logs_role_arns  = ["${local.arn}:iam::${local.account_id}:role/${local.stack}-flow-logs-*"]
  module_policy_arns   = [local.workload_boundary, "${local.arn}:iam::${local.account_id}:policy/${var.name}-*"]
  service_arns         = ["${local.arn}:ecs:${local.region}:${local.account_id}:service/${local.stack}/*"]
  task_definition_arns = ["${local.arn}:ecs:${local.region}:${local.account_id}:task-definition/${local.stack}:*"]

  read_only_policy_arns = var.plan_policy_arns != null ? var.plan_policy_arns : {}
}

resource "aws_iam_openid_connect_provider" "this" {
  count = var.create_oidc_provider ? 1 : 0

  url             = "https://${local.oidc_host}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = var.oidc_thumbprints

  tags = merge(var.tags, { Name = local.oidc_host })
}

## Trust ------------------------------------------------------------------------------------

# One trust policy per role, differing only in the GitHub environments it trusts.
data "aws_iam_policy_document" "assume" {
  for_each = local.subjects

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
      values   = each.value
    }
  }

  lifecycle {
    precondition {
      condition     = var.create_oidc_provider || var.oidc_provider_arn != null
      error_message = "oidc_provider_arn is required when create_oidc_provider = false."
    }
  }
}

## Boundary ---------------------------------------------------------------------------------

# Denies that hold whatever identity policies the roles get: apply_policy_arns typically
# include iam:* on the project's role names, which would otherwise match these roles too and
# let CI rewrite its own rights, its trust policy or this boundary.
data "aws_iam_policy_document" "guard" {
  statement {
    sid    = "DenyChangingTheCiRoles"
    effect = "Deny"
    actions = [
      "iam:Attach*", "iam:CreateRole", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Tag*",
      "iam:Untag*", "iam:Update*",
    ]
    resources = values(local.role_arns)
  }

  statement {
    sid    = "DenyChangingTheModulesPolicies"
    effect = "Deny"
    # The boundaries and the apply role's own policies (all named <name>-*): a new default
    # version of any of them would be a new set of rights.
    actions = [
      "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
      "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
    ]
    resources = local.module_policy_arns
  }

  statement {
    sid    = "DenyUnboundedRoles"
    effect = "Deny"
    # Every role CI creates carries the workload boundary, which allows no IAM change and
    # caps whatever policy the role gets: a role made without it (then given
    # AdministratorAccess and assumed) would be a way out of this boundary.
    actions   = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
    resources = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.workload_boundary]
    }
  }

  statement {
    sid    = "DenyNewIdentitiesAndManagedPolicies"
    effect = "Deny"
    # The stack's roles have inline policies only: no CI role attaches a managed policy (an
    # AWS one such as AdministratorAccess included), creates a policy, a user or a key.
    actions = [
      "iam:Attach*", "iam:CreateAccessKey", "iam:CreateGroup", "iam:CreateLoginProfile",
      "iam:CreatePolicy", "iam:CreateUser", "iam:PutGroupPolicy", "iam:PutUserPolicy",
      "iam:UpdateLoginProfile",
    ]
    resources = ["*"]
  }

  statement {
    sid    = "DenyRemovingAnyBoundary"
    effect = "Deny"
    # A role cannot drop its own boundary; no CI role removes anybody else's either.
    actions   = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]
    resources = ["*"]
  }

  statement {
    sid    = "DenyChangingTheTrustAnchor"
    effect = "Deny"
    actions = [
      "iam:AddClientIDToOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
    ]
    resources = ["*"]
  }

  statement {
    sid    = "DenyReadingOrWritingSecretValues"
    effect = "Deny"
    # CI never needs a secret's value: the modules create secrets without versions and
    # `make deploy` checks for a key with DescribeSecret. A key is read by the ECS execution
    # role and by operators only, and written by an operator's key tool only: a value CI
    # wrote would be an API key its code chose.
    actions = [
      "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
      "secretsmanager:UpdateSecret", "secretsmanager:UpdateSecretVersionStage",
    ]
    resources = ["*"]
  }

  # The state: an apply needs S3 rights of its own (the access-log bucket), which would also
  # reach the state bucket. No IAM pattern says "this bucket but these keys", so these denies
  # name what stays allowed (NotResource) and hold in every bucket: no CI role deletes or
  # writes an object but its units' lock files and state (the stack manages no S3 object: ELB
  # writes the access logs, only an operator's destroy deletes them). Deleting a version is
  # denied too: in the versioned state bucket that, not DeleteObject, is what loses a state.
  dynamic "statement" {
    for_each = local.bucket_arn == null ? [] : [1]

    content {
      sid           = "DenyDeletingObjectsButStateLocks"
      effect        = "Deny"
      actions       = ["s3:DeleteObject*"]
      not_resources = local.state_lock_keys
    }
  }

  dynamic "statement" {
    for_each = local.bucket_arn == null ? [] : [1]

    content {
      sid           = "DenyWritingObjectsButOwnState"
      effect        = "Deny"
      actions       = ["s3:PutObject"]
      not_resources = concat(local.state_keys, local.state_lock_keys)
    }
  }

  # A lifecycle rule, a bucket policy or suspended versioning would delete or expose the state
  # without a single object call. Terragrunt, without --backend-bootstrap, never changes it.
  dynamic "statement" {
    for_each = local.bucket_arn == null ? [] : [1]

    content {
      sid       = "DenyChangingTheStateBucket"
      effect    = "Deny"
      actions   = ["s3:Delete*", "s3:Put*"]
      resources = [local.bucket_arn]
    }
  }
}

data "aws_iam_policy_document" "boundary" {
  # A permissions boundary grants nothing: it caps the roles' own (checked) policies, so its
  # allow-all is the AWS pattern for "everything the identity policy grants, minus the denies".
  #checkov:skip=CKV_AWS_1:A boundary's allow-all grants nothing; the roles' own policies do.
  #checkov:skip=CKV_AWS_49:A boundary's allow-all grants nothing; the roles' own policies do.
  #checkov:skip=CKV_AWS_107:A boundary's allow-all grants nothing; the roles' own policies do.
  #checkov:skip=CKV_AWS_108:A boundary's allow-all grants nothing; the roles' own policies do.
  #checkov:skip=CKV_AWS_109:A boundary's allow-all grants nothing; the roles' own policies do.
  #checkov:skip=CKV_AWS_110:A boundary's allow-all grants nothing; the roles' own policies do.
  #checkov:skip=CKV_AWS_111:A boundary's allow-all grants nothing; the roles' own policies do.
  #checkov:skip=CKV_AWS_356:A boundary's allow-all grants nothing; the roles' own policies do.
  source_policy_documents = [data.aws_iam_policy_document.guard.json]

  statement {
    sid = "IdentityPoliciesDecide"
    # A boundary only caps: within it, each role's own policies grant. The denies above are
    # what it adds.
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "boundary" {
  name        = "${var.name}-boundary"
  description = "Permissions boundary of the GitHub Actions roles ${join(", ", values(local.role_names))}: they cannot change themselves, this boundary or the OIDC provider, nor read secret values"
  policy      = data.aws_iam_policy_document.boundary.json

  tags = merge(var.tags, { Name = "${var.name}-boundary" })
}

## Apply role: terragrunt apply of the environment's units ----------------------------------

resource "aws_iam_role" "this" {
  name                 = local.role_names.apply
  description          = "Assumed by the repositories and deploy jobs of ${var.github_repository} (GitHub environments ${join(", ", var.github_environments)}) to apply the infrastructure"
  assume_role_policy   = data.aws_iam_policy_document.assume["apply"].json
  max_session_duration = var.max_session_duration
  permissions_boundary = aws_iam_policy.boundary.arn

  tags = merge(var.tags, { Name = local.role_names.apply })

  lifecycle {
    precondition {
      condition     = length(var.github_environments) > 0
      error_message = "github_environments is empty: name the GitHub environment(s) the deploy job runs in, e.g. [\"dev\"]."
    }
    precondition {
      condition     = length(local.shared_environments) == 0
      error_message = "github_environments, push_github_environments and plan_github_environments share ${join(", ", local.shared_environments)}: a job in one environment could assume two roles; give each role its own (e.g. dev, dev-images, dev-plan)."
    }
    precondition {
      condition     = var.state_bucket_name == null || length(var.state_units) > 0
      error_message = "state_units is empty: list the units CI applies (their state objects are the only ones it may write)."
    }
  }
}

data "aws_iam_policy_document" "state_read" {
  count = var.state_bucket_name == null ? 0 : 1

  statement {
    sid       = "StateBucketList"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    # OpenTofu's S3 backend also lists the workspaces' prefix (env:/) when it initialises.
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.state_key_prefix}*", "env:/*"]
    }
  }

  statement {
    sid = "StateRead"
    # Every unit's state of the environment: dependencies' outputs are read from it.
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${var.state_key_prefix}*"]
  }

  statement {
    sid = "StateBucketSettings"
    # Terragrunt and OpenTofu read the bucket's own settings before they use it.
    actions   = ["s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:GetEncryptionConfiguration"]
    resources = [local.bucket_arn]
  }

}

data "aws_iam_policy_document" "deploy" {
  source_policy_documents = concat(
    [data.aws_iam_policy_document.guard.json],
    data.aws_iam_policy_document.state_read[*].json,
  )

  # S3 native locking (use_lockfile): a lock is an object written with If-None-Match and
  # deleted on unlock. These are the only objects any CI role may delete, and only the apply
  # role may: a lock the plan role could write or delete would let any branch's code block
  # deploys or break into a running apply.
  dynamic "statement" {
    for_each = var.state_bucket_name == null ? [] : [1]

    content {
      sid       = "StateLockFiles"
      actions   = ["s3:DeleteObject", "s3:PutObject"]
      resources = local.state_lock_keys
    }
  }

  dynamic "statement" {
    for_each = local.lock_table_arn == null ? [] : [1]

    content {
      sid       = "StateLockTable"
      actions   = ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem"]
      resources = [local.lock_table_arn]
    }
  }

  statement {
    sid    = "DenyPushingImages"
    effect = "Deny"
    # Only the push role pushes: an apply role that could also push could run an image of its
    # own choosing under the stack's execution role (UpdateService), which reads the API keys.
    actions = [
      "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
    ]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.state_bucket_name == null ? [] : [1]

    content {
      sid = "StateWriteOwnUnits"
      # Write, never delete: tofu overwrites a state object on apply and never removes it. The
      # guard's denies keep it so whatever apply_policy_arns grant.
      actions   = ["s3:PutObject"]
      resources = local.state_keys
    }
  }

}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy-service-state"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.deploy.json
}

# A full `terragrunt apply` creates VPCs, load balancers, IAM roles and KMS keys: the
# module's own policies grant that, scoped to the stack's names (apply_policies.tf);
# apply_policy_arns adds the caller's, within the boundary's denies.
resource "aws_iam_role_policy_attachment" "apply" {
  for_each = merge({ for k, p in aws_iam_policy.apply : k => p.arn }, var.apply_policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = each.value

  lifecycle {
    precondition {
      condition     = length(local.apply_documents) + length(var.apply_policy_arns) <= 10
      error_message = "The apply role would hold ${length(local.apply_documents) + length(var.apply_policy_arns)} managed policies (${length(local.apply_documents)} of this module's and ${length(var.apply_policy_arns)} of apply_policy_arns): IAM's default quota is 10 per role."
    }
  }
}

## Push role: images to the environment's repositories, nothing else ------------------------

resource "aws_iam_role" "push" {
  name                 = local.role_names.push
  description          = "Assumed by the images job of ${var.github_repository} (GitHub environments ${join(", ", var.push_github_environments)}) to push images to its ECR repositories only"
  assume_role_policy   = data.aws_iam_policy_document.assume["push"].json
  max_session_duration = var.max_session_duration
  permissions_boundary = aws_iam_policy.boundary.arn

  tags = merge(var.tags, { Name = local.role_names.push })
}

data "aws_iam_policy_document" "push" {
  source_policy_documents = [data.aws_iam_policy_document.guard.json]

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # no resource-level permissions exist for this action
  }

  statement {
    sid = "EcrPushOwnRepositories"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = local.repository_arns
  }

  dynamic "statement" {
    for_each = length(var.promotion_source_repository_arns) > 0 ? [1] : []

    content {
      sid = "EcrPullPromotionSources"
      # The images this environment promotes (make push-images copies them by digest): read
      # only, never push to another environment's repositories.
      actions = [
        "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages",
        "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer",
      ]
      resources = var.promotion_source_repository_arns
    }
  }

  dynamic "statement" {
    for_each = var.state_bucket_name != null && length(var.push_state_units) > 0 ? [1] : []

    content {
      sid = "StateBucketListForInit"
      # OpenTofu's S3 backend lists the workspaces' prefix when it initialises (the outputs
      # read below need an init).
      actions   = ["s3:ListBucket"]
      resources = [local.bucket_arn]

      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["env:/*"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.state_bucket_name != null && length(var.push_state_units) > 0 ? [1] : []

    content {
      sid = "StateReadRepositoryUrls"
      # `make push-images` reads the repository URLs from these units' outputs.
      actions   = ["s3:GetObject"]
      resources = local.push_state_keys
    }
  }
}

resource "aws_iam_role_policy" "push" {
  name   = "push-images"
  role   = aws_iam_role.push.id
  policy = data.aws_iam_policy_document.push.json
}

## Plan role: read-only, for pull-request plans ---------------------------------------------

resource "aws_iam_role" "plan" {
  count = local.create_plan ? 1 : 0

  name                 = local.role_names.plan
  description          = "Assumed by the pull-request plan job of ${var.github_repository}: read-only, state read, lock write"
  assume_role_policy   = data.aws_iam_policy_document.assume["plan"].json
  max_session_duration = var.max_session_duration
  permissions_boundary = aws_iam_policy.boundary.arn

  tags = merge(var.tags, { Name = local.role_names.plan })
}

data "aws_iam_policy_document" "plan" {
  count = local.create_plan ? 1 : 0

  source_policy_documents = concat(
    [data.aws_iam_policy_document.guard.json],
    data.aws_iam_policy_document.state_read[*].json,
  )

  statement {
    sid    = "DenyObjectWrites"
    effect = "Deny"
    # Whatever plan_policy_arns grant, a pull request's code (which runs with this role)
    # writes and deletes no S3 object: not a state, and not a lock either (it would block
    # deploys, or free a running apply's state). The plan job plans with -lock=false.
    actions   = ["s3:DeleteObject*", "s3:PutObject*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "plan" {
  count = local.create_plan ? 1 : 0

  name   = "read-only-plan"
  role   = aws_iam_role.plan[0].id
  policy = data.aws_iam_policy_document.plan[0].json
}

resource "aws_iam_role_policy_attachment" "plan" {
  for_each = local.create_plan ? merge({ read = aws_iam_policy.apply["read"].arn }, local.read_only_policy_arns) : {}

  role       = aws_iam_role.plan[0].name
  policy_arn = each.value
}
