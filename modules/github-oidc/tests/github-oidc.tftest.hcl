# Plan-level checks of the github-oidc module against a mocked AWS provider.
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
}

variables {
  name                = "sumapi-github-deploy"
  github_repository   = "example-org/sumapi"
  github_environments = ["production"]
  ecr_repository_arns = ["arn:aws:ecr:eu-west-1:123456789012:repository/sumapi-test/app"]
  ecs_cluster_name    = "sumapi-test"
  state_bucket_name   = "sumapi-state"
}

run "only_the_repository_branch_and_environment_may_assume" {
  command = apply

  assert {
    condition = one([
      for c in one(data.aws_iam_policy_document.assume.statement).condition : c.values if c.variable == "token.actions.githubusercontent.com:sub"
    ]) == tolist(["repo:example-org/sumapi:ref:refs/heads/main", "repo:example-org/sumapi:environment:production"])
    error_message = "The trust policy must list exact sub claims of the repository."
  }

  assert {
    condition     = one([for c in one(data.aws_iam_policy_document.assume.statement).condition : c.test if c.variable == "token.actions.githubusercontent.com:sub"]) == "StringEquals"
    error_message = "sub must match exactly (no StringLike wildcards)."
  }

  assert {
    condition     = toset([for s in data.aws_iam_policy_document.deploy.statement : s.sid]) == toset(["EcrLogin", "EcrPushOwnRepositories", "StateBucketList", "StateObjects", "EcsDeployOwnServices", "EcsTaskDefinitions"])
    error_message = "Only the statements whose inputs are given are granted."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.deploy.statement : s.resources if s.sid == "EcsDeployOwnServices"]) == toset(["arn:aws:ecs:eu-west-1:123456789012:service/sumapi-test/*"])
    error_message = "UpdateService is limited to the cluster's services."
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
    github_branches     = []
    github_environments = []
  }

  expect_failures = [aws_iam_role.this]
}
