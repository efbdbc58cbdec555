# Wiring checks of the github-oidc module against a mocked AWS provider: which roles exist,
# what each carries (trust, boundary, policies), and the inputs refused. The rendered policy
# documents themselves are checked in policies.tftest.hcl.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  # The provider validates these at plan time even when mocked.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }
  mock_resource "aws_iam_policy" {
    defaults = { arn = "arn:aws:iam::123456789012:policy/sumapi-github-deploy-boundary" }
  }
}

variables {
  name                     = "sumapi-github-deploy"
  github_repository        = "example-org/sumapi"
  github_environments      = ["dev"]
  push_github_environments = ["dev-images"]
  plan_github_environments = ["dev-plan"]
  stack_name               = "sumapi-test"
  state_bucket_name        = "sumapi-state"
  state_key_prefix         = "live/dev/"
  state_units              = ["networking", "compute"]
  push_state_units         = ["registry"]
}

run "three_roles_each_within_the_boundary" {
  command = apply

  assert {
    condition     = [aws_iam_role.this.name, aws_iam_role.push.name, one(aws_iam_role.plan[*].name)] == ["sumapi-github-deploy", "sumapi-github-deploy-push", "sumapi-github-deploy-plan"]
    error_message = "The apply, push and plan roles are separate roles."
  }

  assert {
    condition = alltrue([
      for boundary in [aws_iam_role.this.permissions_boundary, aws_iam_role.push.permissions_boundary, one(aws_iam_role.plan[*].permissions_boundary)] :
      boundary == aws_iam_policy.boundary.arn
    ])
    error_message = "Every role carries the module's permissions boundary."
  }

  assert {
    condition     = aws_iam_policy.boundary.name == "sumapi-github-deploy-boundary" && contains(local.module_policy_arns, "arn:aws:iam::123456789012:policy/sumapi-github-deploy-*")
    error_message = "The boundary's own denies name the boundary policy that is created (by the module's policies' name pattern)."
  }

  # The mocked documents are all alike: which role gets which document is checked here, what
  # each document says in policies.tftest.hcl (the real provider renders them).
  assert {
    condition     = keys(data.aws_iam_policy_document.assume) == ["apply", "plan", "push"]
    error_message = "One trust document per role."
  }

  assert {
    condition = (
      one([for e in data.aws_iam_policy_document.assume["apply"].statement[0].condition : e.values if e.variable == "token.actions.githubusercontent.com:sub"]) == tolist(["repo:example-org/sumapi:environment:dev"])
      && one([for e in data.aws_iam_policy_document.assume["push"].statement[0].condition : e.values if e.variable == "token.actions.githubusercontent.com:sub"]) == tolist(["repo:example-org/sumapi:environment:dev-images"])
      && one([for e in data.aws_iam_policy_document.assume["plan"].statement[0].condition : e.values if e.variable == "token.actions.githubusercontent.com:sub"]) == tolist(["repo:example-org/sumapi:environment:dev-plan"])
    )
    error_message = "The apply document names the apply environments, the push document the images environments, the plan document the plan environments."
  }

  assert {
    condition = (
      aws_iam_role.this.assume_role_policy == data.aws_iam_policy_document.assume["apply"].json
      && aws_iam_role.push.assume_role_policy == data.aws_iam_policy_document.assume["push"].json
      && one(aws_iam_role.plan[*].assume_role_policy) == data.aws_iam_policy_document.assume["plan"].json
    )
    error_message = "Each role carries its own trust document."
  }

  assert {
    condition = alltrue([
      for document in [data.aws_iam_policy_document.deploy, data.aws_iam_policy_document.push, one(data.aws_iam_policy_document.plan[*])] :
      contains(document.source_policy_documents, data.aws_iam_policy_document.guard.json)
    ])
    error_message = "Each role's own policy repeats the boundary's denies (they hold even if the boundary were detached)."
  }

  assert {
    condition     = [aws_iam_role_policy.deploy.role, aws_iam_role_policy.push.role, one(aws_iam_role_policy.plan[*].role)] == [aws_iam_role.this.id, aws_iam_role.push.id, one(aws_iam_role.plan[*].id)]
    error_message = "Each policy is attached to its own role."
  }

  assert {
    condition     = keys(aws_iam_role_policy_attachment.plan) == ["read"] && aws_iam_role_policy_attachment.plan["read"].policy_arn == aws_iam_policy.apply["read"].arn
    error_message = "The plan role gets the module's read policy (the apply role's reads), not AWS's ReadOnlyAccess (which reads every bucket's objects)."
  }

  assert {
    condition     = output.plan_role_arn == one(aws_iam_role.plan[*].arn) && output.push_role_arn == aws_iam_role.push.arn
    error_message = "The push and plan role ARNs are outputs (the GitHub environment variables)."
  }
}

run "no_plan_role_without_plan_environments" {
  command = plan

  variables {
    plan_github_environments = []
  }

  assert {
    condition     = length(aws_iam_role.plan) == 0 && length(aws_iam_role_policy_attachment.plan) == 0
    error_message = "The plan role exists only when a plan environment is given."
  }
}

run "reusing_a_provider_needs_its_arn" {
  command = plan

  variables {
    create_oidc_provider = false
  }

  expect_failures = [data.aws_iam_policy_document.assume]
}

run "a_role_nobody_can_assume_is_refused" {
  command = plan

  variables {
    github_environments = []
  }

  expect_failures = [aws_iam_role.this]
}

run "branch_subjects_are_refused" {
  command = plan

  variables {
    github_branches = ["main"]
  }

  expect_failures = [var.github_branches]
}

run "a_wildcard_environment_is_refused" {
  command = plan

  variables {
    github_environments = ["*"]
  }

  expect_failures = [var.github_environments]
}

# One environment in two sets would let one job assume two roles: every pair is refused.
run "the_plan_role_cannot_share_the_apply_environment" {
  command = plan

  variables {
    plan_github_environments = ["dev"]
  }

  expect_failures = [aws_iam_role.this]
}

run "the_images_job_cannot_share_the_apply_environment" {
  command = plan

  variables {
    push_github_environments = ["dev-images", "dev"]
  }

  expect_failures = [aws_iam_role.this]
}

run "a_pull_request_cannot_share_the_images_environment" {
  command = plan

  variables {
    plan_github_environments = ["dev-images"]
  }

  expect_failures = [aws_iam_role.this]
}

run "disjoint_environments_pass" {
  command = plan

  variables {
    github_environments      = ["dev", "dev-hotfix"]
    push_github_environments = ["dev-images", "dev-hotfix-images"]
    plan_github_environments = ["dev-plan"]
  }

  assert {
    condition     = length(local.shared_environments) == 0
    error_message = "Environments that differ are not reported as shared."
  }
}

run "the_push_role_needs_an_environment" {
  command = plan

  variables {
    push_github_environments = []
  }

  expect_failures = [var.push_github_environments]
}

run "a_wildcard_images_environment_is_refused" {
  command = plan

  variables {
    push_github_environments = ["dev-*"]
  }

  expect_failures = [var.push_github_environments]
}

run "state_access_needs_the_units" {
  command = plan

  variables {
    state_units = []
  }

  expect_failures = [aws_iam_role.this]
}

run "a_stack_name_too_long_for_the_roles_prefix_is_refused" {
  command = plan

  variables {
    stack_name = "a-stack-name-of-21-ch"
  }

  expect_failures = [var.stack_name]
}
