# The rendered policy documents of the github-oidc module: the real provider renders them
# (aws_iam_policy_document is computed locally; no AWS call is made: fake credentials, no
# account lookup, the caller identity overridden).
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test-only"
  secret_key                  = "test-only"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012" }
}

variables {
  name                     = "sumapi-dev-github-deploy"
  github_repository        = "example-org/sumapi"
  github_environments      = ["dev"]
  push_github_environments = ["dev-images"]
  plan_github_environments = ["dev-plan"]
  create_oidc_provider     = false
  oidc_provider_arn        = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  stack_name               = "sumapi-dev"
  state_bucket_name        = "sumapi-dev-tfstate"
  state_key_prefix         = "live/dev/"
  state_units              = ["networking", "registry", "secrets", "compute", "observability"]
  push_state_units         = ["registry"]
}

# The trust documents the roles carry (not only the documents rendered): each role is
# assumable from its own GitHub environments only, so a job's environment decides the one
# role any of its steps can assume.
run "each_role_trusts_its_own_environments_only" {
  command = plan

  assert {
    condition = {
      for role, policy in {
        apply = aws_iam_role.this.assume_role_policy
        push  = aws_iam_role.push.assume_role_policy
        plan  = one(aws_iam_role.plan[*].assume_role_policy)
      } : role => flatten([jsondecode(policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]])
      } == {
      apply = ["repo:example-org/sumapi:environment:dev"]
      push  = ["repo:example-org/sumapi:environment:dev-images"]
      plan  = ["repo:example-org/sumapi:environment:dev-plan"]
    }
    error_message = "The apply role trusts dev, the push role dev-images, the plan role dev-plan: exactly these subjects (no branch, no wildcard)."
  }

  assert {
    condition = alltrue([
      for policy in [aws_iam_role.this.assume_role_policy, aws_iam_role.push.assume_role_policy, one(aws_iam_role.plan[*].assume_role_policy)] :
      length(jsondecode(policy).Statement) == 1
      && jsondecode(policy).Statement[0].Effect == "Allow"
      && flatten([jsondecode(policy).Statement[0].Action]) == ["sts:AssumeRoleWithWebIdentity"]
      && flatten([jsondecode(policy).Statement[0].Principal.Federated]) == [var.oidc_provider_arn]
      && flatten([jsondecode(policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"]]) == ["sts.amazonaws.com"]
      && !can(jsondecode(policy).Statement[0].Condition.StringLike)
    ])
    error_message = "Each trust policy is one statement: web identity from the GitHub provider, audience STS, no StringLike (wildcard) subject."
  }
}

run "a_second_images_environment_is_trusted_by_the_push_role_alone" {
  command = plan

  variables {
    push_github_environments = ["dev-images", "dev-images-hotfix"]
  }

  assert {
    condition     = sort(flatten([jsondecode(aws_iam_role.push.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]])) == sort(["repo:example-org/sumapi:environment:dev-images", "repo:example-org/sumapi:environment:dev-images-hotfix"])
    error_message = "The push role trusts every environment of push_github_environments."
  }

  assert {
    condition     = flatten([jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]]) == ["repo:example-org/sumapi:environment:dev"]
    error_message = "The apply role's trust does not grow with the push role's."
  }
}

run "the_roles_cannot_change_themselves" {
  command = plan

  variables {
    # An extra policy granting iam:* on the project's roles, which matches the CI roles too.
    # The boundary's denies must hold anyway.
    apply_policy_arns = { iam = "arn:aws:iam::123456789012:policy/sumapi-iam-own-roles" }
  }

  assert {
    condition = alltrue([
      for role in ["sumapi-dev-github-deploy", "sumapi-dev-github-deploy-push", "sumapi-dev-github-deploy-plan"] :
      contains(flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s if s.Sid == "DenyChangingTheCiRoles"]).Resource]), "arn:aws:iam::123456789012:role/${role}")
    ])
    error_message = "The boundary denies changes to each CI role, its own included."
  }

  assert {
    condition = alltrue([
      for action in ["iam:Update*", "iam:Put*", "iam:Attach*", "iam:Detach*", "iam:Delete*"] :
      contains(flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s if s.Sid == "DenyChangingTheCiRoles"]).Action]), action)
    ]) && one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s.Effect if s.Sid == "DenyChangingTheCiRoles"]) == "Deny"
    error_message = "The deny covers the trust policy (UpdateAssumeRolePolicy), inline and attached policies, the boundary attachment and deletion."
  }

  assert {
    condition = (
      toset(flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s.Resource if s.Sid == "DenyChangingTheModulesPolicies"])])) == toset(["arn:aws:iam::123456789012:policy/sumapi-dev-github-deploy-*", "arn:aws:iam::123456789012:policy/sumapi-dev-workload-boundary"])
      && alltrue([for p in values(aws_iam_policy.apply) : startswith(p.name, "sumapi-dev-github-deploy-")]) && aws_iam_policy.boundary.name == "sumapi-dev-github-deploy-boundary"
      && contains(flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s.Action if s.Sid == "DenyChangingTheModulesPolicies"])]), "iam:CreatePolicyVersion")
      && contains(flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s.Action if s.Sid == "DenyChangingTheModulesPolicies"])]), "iam:SetDefaultPolicyVersion")
    )
    error_message = "Neither boundary nor any of the apply role's own policies can be given a new version (or deleted) by the roles they bound."
  }

  assert {
    condition = (
      flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s.Condition.StringNotEquals["iam:PermissionsBoundary"] if s.Sid == "DenyUnboundedRoles"])]) == ["arn:aws:iam::123456789012:policy/sumapi-dev-workload-boundary"]
      && toset(flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s.Action if s.Sid == "DenyUnboundedRoles"])])) == toset(["iam:CreateRole", "iam:PutRolePermissionsBoundary"])
    )
    error_message = "No CI role may create a role, or set a role's boundary, other than inside the workload boundary."
  }

  assert {
    condition = alltrue([
      for action in ["iam:Attach*", "iam:CreatePolicy", "iam:CreateUser", "iam:CreateAccessKey", "iam:PutUserPolicy"] :
      contains(flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s.Action if s.Sid == "DenyNewIdentitiesAndManagedPolicies"])]), action)
    ])
    error_message = "No CI role may attach a managed policy (AdministratorAccess), create a policy, a user or a key."
  }

  assert {
    condition     = contains(flatten([one([for s in jsondecode(data.aws_iam_policy_document.boundary.json).Statement : s.Action if s.Sid == "DenyRemovingAnyBoundary"])]), "iam:DeleteRolePermissionsBoundary")
    error_message = "No CI role may remove a permissions boundary."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.push, one(data.aws_iam_policy_document.plan[*])] :
      length([for s in jsondecode(document.json).Statement : s if s.Sid == "DenyChangingTheCiRoles" && s.Effect == "Deny"]) == 1
    ])
    error_message = "Each role's own policy carries the same deny."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.boundary, data.aws_iam_policy_document.deploy] :
      length(setsubtract(["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret"], flatten([one([for s in jsondecode(document.json).Statement : s.Action if s.Sid == "DenyReadingOrWritingSecretValues" && s.Effect == "Deny"])]))) == 0
    ])
    error_message = "CI roles may neither read nor write secret values (the API keys)."
  }
}

run "no_role_may_delete_a_state_object" {
  command = plan

  variables {
    # What a real apply needs for the access-log bucket; it reaches the state bucket too.
    apply_policy_arns = { s3 = "arn:aws:iam::aws:policy/AmazonS3FullAccess" }
  }

  # The Allows below are not what holds: an attached S3 policy grants more. The denies of the
  # boundary, repeated in each role's own policy, hold whatever is attached.
  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.boundary, data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.push, one(data.aws_iam_policy_document.plan[*])] :
      length([
        for s in jsondecode(document.json).Statement : s if(
          s.Sid == "DenyDeletingObjectsButStateLocks" && s.Effect == "Deny" && !can(s.Resource) &&
          flatten([s.Action]) == ["s3:DeleteObject*"] &&
          sort(flatten([s.NotResource])) == sort([for u in var.state_units : "arn:aws:s3:::sumapi-dev-tfstate/live/dev/${u}/terraform.tfstate.tflock"])
        )
      ]) == 1
    ])
    error_message = "Each role is denied deleting any object or object version (s3:DeleteObject*) but its units' .tflock lock objects, whatever its policies allow."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.boundary, data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.push, one(data.aws_iam_policy_document.plan[*])] :
      length([
        for s in jsondecode(document.json).Statement : s if(
          s.Sid == "DenyWritingObjectsButOwnState" && s.Effect == "Deny" && !can(s.Resource) &&
          flatten([s.Action]) == ["s3:PutObject"] &&
          sort(flatten([s.NotResource])) == sort(flatten([for u in var.state_units : ["arn:aws:s3:::sumapi-dev-tfstate/live/dev/${u}/terraform.tfstate", "arn:aws:s3:::sumapi-dev-tfstate/live/dev/${u}/terraform.tfstate.tflock"]]))
        )
      ]) == 1
    ])
    error_message = "Each role is denied writing any object but its units' state and lock objects (not the github-oidc unit's, not another environment's), whatever its policies allow."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.boundary, data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.push, one(data.aws_iam_policy_document.plan[*])] :
      length([
        for s in jsondecode(document.json).Statement : s if(
          s.Sid == "DenyChangingTheStateBucket" && s.Effect == "Deny" &&
          toset(flatten([s.Action])) == toset(["s3:Delete*", "s3:Put*"]) && flatten([s.Resource]) == ["arn:aws:s3:::sumapi-dev-tfstate"]
        )
      ]) == 1
    ])
    error_message = "No role may change the state bucket itself (a lifecycle rule, a policy or suspended versioning would lose the state without an object call)."
  }

  assert {
    # Every Allow of the three roles that lets S3 objects be deleted names lock objects only.
    condition = alltrue(flatten([
      for document in [data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.push, one(data.aws_iam_policy_document.plan[*])] : [
        for s in jsondecode(document.json).Statement : [
          for resource in flatten([s.Resource]) : endswith(resource, ".tflock")
        ] if s.Effect == "Allow" && length(setintersection(flatten([s.Action]), ["s3:DeleteObject", "s3:*", "*"])) > 0
      ]
    ]))
    error_message = "s3:DeleteObject is granted on .tflock lock objects only."
  }

  assert {
    condition = sort(flatten([
      for s in jsondecode(data.aws_iam_policy_document.deploy.json).Statement : flatten([s.Resource]) if s.Effect == "Allow" && contains(flatten([s.Action]), "s3:PutObject")
      ])) == sort(concat(
      [for u in ["networking", "registry", "secrets", "compute", "observability"] : "arn:aws:s3:::sumapi-dev-tfstate/live/dev/${u}/terraform.tfstate"],
      [for u in ["networking", "registry", "secrets", "compute", "observability"] : "arn:aws:s3:::sumapi-dev-tfstate/live/dev/${u}/terraform.tfstate.tflock"],
    ))
    error_message = "The apply role writes the state and lock objects of its own units only (not github-oidc's, not another environment's)."
  }

  assert {
    condition     = flatten([one([for s in jsondecode(data.aws_iam_policy_document.deploy.json).Statement : s.Resource if s.Sid == "StateRead"])]) == ["arn:aws:s3:::sumapi-dev-tfstate/live/dev/*"]
    error_message = "State reads are limited to the environment's prefix."
  }

  assert {
    condition     = toset(flatten([one([for s in jsondecode(data.aws_iam_policy_document.deploy.json).Statement : s.Condition.StringLike["s3:prefix"] if s.Sid == "StateBucketList"])])) == toset(["live/dev/*", "env:/*"])
    error_message = "Listing is limited to the environment's prefix (and the workspaces' one, which OpenTofu lists)."
  }
}

run "the_push_role_pushes_images_only" {
  command = plan

  assert {
    condition = toset(flatten([
      for s in jsondecode(data.aws_iam_policy_document.push.json).Statement : flatten([s.Action]) if s.Effect == "Allow"
      ])) == toset([
      "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
      "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
      "s3:GetObject", "s3:ListBucket",
    ])
    error_message = "The push role may push images and read the registry unit's outputs, nothing else."
  }

  assert {
    condition     = flatten([one([for s in jsondecode(data.aws_iam_policy_document.push.json).Statement : s.Resource if s.Sid == "EcrPushOwnRepositories"])]) == ["arn:aws:ecr:eu-west-1:123456789012:repository/sumapi-dev/*"]
    error_message = "Pushes go to the stack's repositories only."
  }

  assert {
    condition = (
      flatten([one([for s in jsondecode(data.aws_iam_policy_document.push.json).Statement : s.Resource if s.Sid == "StateReadRepositoryUrls"])]) == ["arn:aws:s3:::sumapi-dev-tfstate/live/dev/registry/terraform.tfstate"]
      && flatten([one([for s in jsondecode(data.aws_iam_policy_document.push.json).Statement : s.Condition.StringLike["s3:prefix"] if s.Sid == "StateBucketListForInit"])]) == ["env:/*"]
    )
    error_message = "The push role reads the registry unit's state only, and lists nothing but the workspaces' prefix."
  }

  assert {
    condition = alltrue([
      for document in concat([data.aws_iam_policy_document.deploy.json], [data.aws_iam_policy_document.apply_read.json, data.aws_iam_policy_document.apply_network.json, data.aws_iam_policy_document.apply_service.json, data.aws_iam_policy_document.apply_data.json, data.aws_iam_policy_document.apply_observe.json]) :
      length([for s in jsondecode(document).Statement : s if s.Effect == "Allow" && length(setintersection(flatten([s.Action]), ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:*", "*"])) > 0]) == 0
    ])
    error_message = "None of the apply role's policies grants an ECR push (the push role does)."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(data.aws_iam_policy_document.deploy.json).Statement : flatten([s.Action]) if s.Sid == "DenyPushingImages" && s.Effect == "Deny"
    ])) == toset(["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"])
    error_message = "The apply role is denied pushing whatever apply_policy_arns grant: with a push and UpdateService it could run any image under the execution role."
  }
}

run "a_promoting_push_role_reads_the_source_repositories_and_pushes_to_its_own_only" {
  command = plan

  variables {
    promotion_source_repository_arns = ["arn:aws:ecr:eu-west-1:111111111111:repository/sumapi-dev/*"]
  }

  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.push.json).Statement : {
      actions = toset(flatten([s.Action])), resources = flatten([s.Resource])
      } if s.Sid == "EcrPullPromotionSources"] == [{
      actions   = toset(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer"])
      resources = ["arn:aws:ecr:eu-west-1:111111111111:repository/sumapi-dev/*"]
    }]
    error_message = "The promoting push role reads the source environment's repositories, and nothing of them more."
  }

  assert {
    condition = alltrue([for s in jsondecode(data.aws_iam_policy_document.push.json).Statement : (
      length(setintersection(flatten([s.Action]), ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"])) == 0
      || flatten([s.Resource]) == ["arn:aws:ecr:eu-west-1:123456789012:repository/sumapi-dev/*"]
    ) if s.Effect == "Allow"])
    error_message = "Pushes still go to the stack's own repositories only."
  }
}

run "the_plan_role_reads_and_writes_nothing" {
  command = plan

  variables {
    # Even a policy that would allow writing everything cannot make the plan role write state.
    plan_policy_arns = { admin = "arn:aws:iam::aws:policy/AdministratorAccess" }
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(one(data.aws_iam_policy_document.plan[*].json)).Statement : flatten([s.Action]) if s.Effect == "Allow"
    ])) == toset(["s3:ListBucket", "s3:GetObject", "s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:GetEncryptionConfiguration"])
    error_message = "The plan role's own policy grants state reads only: no lock write (a lock a branch could plant or delete blocks deploys or frees a running apply's state)."
  }

  assert {
    condition = (
      one([for s in jsondecode(one(data.aws_iam_policy_document.plan[*].json)).Statement : s.Effect if s.Sid == "DenyObjectWrites"]) == "Deny"
      && flatten([one([for s in jsondecode(one(data.aws_iam_policy_document.plan[*].json)).Statement : s.Resource if s.Sid == "DenyObjectWrites"])]) == ["*"]
      && toset(flatten([one([for s in jsondecode(one(data.aws_iam_policy_document.plan[*].json)).Statement : s.Action if s.Sid == "DenyObjectWrites"])])) == toset(["s3:DeleteObject*", "s3:PutObject*"])
    )
    error_message = "Every S3 object write or delete, lock objects included, is denied to the plan role, whatever policies it has."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(data.aws_iam_policy_document.apply_read.json).Statement :
      # View: AWS Budgets' one read action (budgets:ViewBudget, access level Read).
      alltrue([for a in flatten([s.Action]) : length(regexall(":(Describe|Get|List|View)", a)) > 0])
    ])
    error_message = "The read policy the plan role shares with the apply role only describes, gets, lists and views."
  }
}

run "a_legacy_lock_table_gets_item_rights_only" {
  command = plan

  variables {
    lock_table_name = "sumapi-dev-tflock"
  }

  assert {
    condition     = flatten([one([for s in jsondecode(data.aws_iam_policy_document.deploy.json).Statement : s.Resource if s.Sid == "StateLockTable"])]) == ["arn:aws:dynamodb:eu-west-1:123456789012:table/sumapi-dev-tflock"]
    error_message = "With a DynamoDB lock table, the apply role may write its items."
  }

  assert {
    condition     = length([for s in jsondecode(one(data.aws_iam_policy_document.plan[*].json)).Statement : s if s.Sid == "StateLockTable"]) == 0
    error_message = "The plan role takes no lock, in a table either."
  }
}

run "the_apply_role_has_its_rights_from_the_module_within_the_quota" {
  command = plan

  assert {
    condition     = toset(keys(aws_iam_role_policy_attachment.apply)) == toset(["read", "network", "service", "data", "observe"])
    error_message = "The apply role holds the module's own policies (no reader-chosen list)."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.apply_read.json, data.aws_iam_policy_document.apply_network.json, data.aws_iam_policy_document.apply_service.json, data.aws_iam_policy_document.apply_data.json, data.aws_iam_policy_document.apply_observe.json] :
      length(replace(document, "/\\s/", "")) <= 6144
    ])
    error_message = "One of the apply role's policies is over IAM's 6,144-character limit of a managed policy."
  }

  assert {
    condition = alltrue(flatten([
      for document in [data.aws_iam_policy_document.apply_read.json, data.aws_iam_policy_document.apply_network.json, data.aws_iam_policy_document.apply_service.json, data.aws_iam_policy_document.apply_data.json, data.aws_iam_policy_document.apply_observe.json] : [
        for s in jsondecode(document).Statement : [
          for a in flatten([s.Action]) : !contains(["*", "iam:*", "s3:*", "kms:*", "ecr:*", "secretsmanager:*"], a)
        ]
      ]
    ]))
    error_message = "No service-wide wildcard in the apply role's policies."
  }
}

run "more_than_ten_policies_are_refused" {
  command = plan

  variables {
    apply_policy_arns = {
      a = "arn:aws:iam::123456789012:policy/extra-a", b = "arn:aws:iam::123456789012:policy/extra-b"
      c = "arn:aws:iam::123456789012:policy/extra-c", d = "arn:aws:iam::123456789012:policy/extra-d"
      e = "arn:aws:iam::123456789012:policy/extra-e", f = "arn:aws:iam::123456789012:policy/extra-f"
    }
  }

  expect_failures = [aws_iam_role_policy_attachment.apply]
}

# The state denies name every unit's keys, in the boundary too: AWS refuses a managed policy
# over 6,144 characters and a role's inline policies over 10,240 (whitespace not counted) at
# apply time, which no plan shows. Twice this repository's units still fit.
run "the_policies_fit_iam_size_limits" {
  command = plan

  variables {
    state_units = ["observability-00", "observability-01", "observability-02", "observability-03", "observability-04", "observability-05", "observability-06", "observability-07", "observability-08", "observability-09", "observability-10", "observability-11", "observability-12", "observability-13"]
  }

  assert {
    condition     = length(replace(data.aws_iam_policy_document.boundary.json, "/\\s/", "")) <= 6144
    error_message = "The boundary is over IAM's 6,144-character limit of a managed policy."
  }

  # The apply role's rights are managed policies too, each one of the 6,144 characters.
  assert {
    condition     = alltrue([for document in values(local.apply_documents) : length(replace(document, "/\\s/", "")) <= 6144])
    error_message = "An apply policy is over IAM's 6,144-character limit of a managed policy: split it (local.apply_documents)."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.push, one(data.aws_iam_policy_document.plan[*])] :
      length(replace(document.json, "/\\s/", "")) <= 10240
    ])
    error_message = "A role's inline policy is over IAM's 10,240-character limit."
  }
}
