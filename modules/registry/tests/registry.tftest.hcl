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
