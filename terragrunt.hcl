# Root Terragrunt configuration, included by every unit under live/<env>/<unit>/.
# It is never run itself: make targets run terragrunt with --working-dir live/<env>[/<unit>].
# See docs/infrastructure.md.

locals {
  env      = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  emulated = local.env.emulated

  # The make targets export the emulator URL; a developer's own port only needs EMULATOR_PORT=.
  emulator_endpoint = get_env("SUMAPI_EMULATOR_ENDPOINT", "http://127.0.0.1:5000")

  # Services the modules call (provider 3.x names; "elb" covers ELBv2). Every one must be
  # redirected, otherwise a call would go to real AWS with fake credentials.
  emulated_services = [
    "applicationautoscaling", "cloudwatch", "cloudwatchlogs", "dynamodb", "ec2", "ecr", "ecs",
    "elb", "iam", "kms", "route53", "s3", "secretsmanager", "sns", "sts",
  ]

  tags = merge(local.env.tags, {
    Environment    = local.env.environment
    ManagedBy      = "terragrunt"
    TerragruntUnit = path_relative_to_include()
  })

  backend = {
    bucket         = local.env.state_bucket
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = local.env.aws_region
    encrypt        = true
    dynamodb_table = local.env.lock_table

    # Bootstrap settings (terragrunt --backend-bootstrap): a versioned, encrypted, private
    # bucket that refuses plain HTTP, and an encrypted lock table.
    enable_lock_table_ssencryption = true
    s3_bucket_tags                 = local.env.tags
    dynamodb_table_tags            = local.env.tags
  }

  emulator_backend = {
    endpoints = {
      s3       = local.emulator_endpoint
      dynamodb = local.emulator_endpoint
      iam      = local.emulator_endpoint
      sts      = local.emulator_endpoint
    }
    force_path_style            = true # no wildcard DNS for <bucket>.127.0.0.1
    skip_credentials_validation = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    skip_requesting_account_id  = true
    # moto never reports a lock table's encryption as ENABLED (terragrunt would wait 5 minutes
    # for it); the table holds only lock ids and digests. Real accounts keep it encrypted.
    enable_lock_table_ssencryption = false
    # The emulator speaks plain HTTP, and moto enforces bucket policies: the TLS-only policy
    # would deny every state read. Real accounts keep it.
    skip_bucket_enforced_tls = true
  }
}

remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  # merge() with an empty expansion keeps one shape for both environments (HCL conditionals
  # cannot return objects of different types).
  config = merge(local.backend, [for extra in [local.emulator_backend] : extra if local.emulated]...)
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOF
    provider "aws" {
      region = "${local.env.aws_region}"
    %{if !local.emulated~}
      allowed_account_ids = ["${local.env.account_id}"]
    %{endif~}

      default_tags {
        tags = ${jsonencode(local.tags)}
      }
    %{if local.emulated~}

      # The AWS emulator (moto): fixed credentials, no EC2 metadata, path-style S3.
      access_key                  = "testing"
      secret_key                  = "testing"
      skip_credentials_validation = true
      skip_metadata_api_check     = true
      skip_region_validation      = true
      s3_force_path_style         = true

      endpoints {
    %{for service in local.emulated_services~}
        ${service} = "${local.emulator_endpoint}"
    %{endfor~}
      }
    %{endif~}
    }
  EOF
}

# Inputs every module takes; units add their own. Tags reach resources through the provider's
# default_tags only: passing the same keys as resource tags too makes provider 3.x diff them.
inputs = {
  name = local.env.name
}
