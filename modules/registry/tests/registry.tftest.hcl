# The registry module's contract, on a mocked provider: one immutable, scanned, KMS-encrypted
# repository per container, a lifecycle policy keeping the rollback window.
mock_provider "aws" {
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:123456789012:repository/sumapi-test/x"
      repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sumapi-test/x"
    }
  }
}

variables {
  name = "sumapi-test"
}

run "repositories_per_container" {
  command = apply

  assert {
    condition     = toset(keys(aws_ecr_repository.this)) == toset(["app", "nginx"])
    error_message = "The app and its gateway each need a repository."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.image_tag_mutability == "IMMUTABLE" && one(r.image_scanning_configuration).scan_on_push])
    error_message = "Tags must be immutable (a tag names one build) and images scanned on push."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : one(r.encryption_configuration).encryption_type == "KMS"])
    error_message = "Repositories must be KMS-encrypted."
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this["app"].policy).rules[1].selection.countNumber == 30
    error_message = "The lifecycle policy keeps keep_images (default 30) images: the rollback window."
  }

  assert {
    condition     = output.app_repository_url == aws_ecr_repository.this["app"].repository_url && output.gateway_repository_url == aws_ecr_repository.this["nginx"].repository_url
    error_message = "The push targets are the app and nginx repositories."
  }

  assert {
    condition     = alltrue([for r in aws_ecr_repository.this : r.force_delete])
    error_message = "A destroy deletes the repositories with their images (ECR refuses to delete a non-empty one otherwise)."
  }

  assert {
    condition     = output.repository_names == { app = "sumapi-test/app", nginx = "sumapi-test/nginx" }
    error_message = "repository_names lists <name>/<container> for each repository."
  }
}

run "bad_keep_images_is_refused" {
  command = plan

  variables {
    keep_images = 0
  }

  expect_failures = [var.keep_images]
}

run "builds_its_own_images_by_default" {
  command = plan

  assert {
    condition     = length(output.promotion_sources) == 0 && length(aws_ecr_repository_policy.this) == 0
    error_message = "Without promote_images_from an environment builds its own images; without pull_principal_arns no repository policy opens its images."
  }
}

run "promotes_another_environments_images" {
  command = plan

  variables {
    promote_images_from = { account_id = "111111111111", region = "eu-west-1", name = "sumapi-dev" }
  }

  assert {
    condition = jsonencode(output.promotion_sources) == jsonencode({
      app   = { registry_id = "111111111111", region = "eu-west-1", repository_name = "sumapi-dev/app" }
      nginx = { registry_id = "111111111111", region = "eu-west-1", repository_name = "sumapi-dev/nginx" }
    })
    error_message = "Each container's image comes from the same container's repository of the source environment."
  }
}

run "lets_the_promoting_environment_pull_and_nothing_more" {
  command = apply

  variables {
    pull_principal_arns = ["arn:aws:iam::234567890123:role/sumapi-prod-github-deploy-push"]
  }

  assert {
    condition = alltrue([for p in aws_ecr_repository_policy.this : (
      jsondecode(p.policy).Statement[0].Principal.AWS == ["arn:aws:iam::234567890123:role/sumapi-prod-github-deploy-push"] &&
      length([for a in jsondecode(p.policy).Statement[0].Action : a if can(regex("Put|Upload|Delete|Set", a))]) == 0
    )]) && length(aws_ecr_repository_policy.this) == 2
    error_message = "Each repository lets the promoting push role read its images, and neither push nor delete."
  }
}

run "refuses_a_malformed_source" {
  command = plan

  variables {
    promote_images_from = { account_id = "dev", region = "eu-west-1", name = "sumapi-dev" }
  }

  expect_failures = [var.promote_images_from]
}
