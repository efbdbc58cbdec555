# Root Terragrunt configuration, included by every unit under live/<env>/<unit>/.
# It is never a unit itself: make targets run terragrunt with --working-dir live/<env>[/<unit>].
# See docs/infrastructure.md.

# The pins of versions.env are the versions tested here; newer ones are allowed where the
# commands this project uses still exist (`run --all` replaced `run-all`, removed in 0.90;
# S3 lock files, use_lockfile, need OpenTofu/Terraform 1.10).
terragrunt_version_constraint = ">= 0.89.0, < 2.0.0"
terraform_version_constraint  = ">= 1.10.0, < 2.0.0"

locals {
  env_file = find_in_parent_folders("env.hcl")
  env      = read_terragrunt_config(local.env_file).locals

  # An emulated environment (live/local) brings its own plumbing: live/<env>/emulator.hcl
  # (endpoints, fake credentials, emulator backend settings). Real environments never read it.
  # A one-element list, so that both shapes merge below (an HCL conditional cannot return
  # objects of different types).
  emulator = [
    for path in ["${dirname(local.env_file)}/emulator.hcl"] : read_terragrunt_config(path).locals
    if local.env.emulated
  ]

  tags = merge(local.env.tags, {
    Environment    = local.env.environment
    ManagedBy      = "terragrunt"
    TerragruntUnit = path_relative_to_include()
  })

  backend = {
    bucket  = local.env.state_bucket
    key     = "${path_relative_to_include()}/terraform.tfstate"
    region  = local.env.aws_region
    encrypt = true
    # S3 native locking: a <key>.tflock object written with If-None-Match (OpenTofu/Terraform
    # >= 1.10). It replaces the deprecated dynamodb_table: no lock table to create or pay for.
    use_lockfile = true

    # Settings of `make backend-bootstrap` (terragrunt backend bootstrap), an operator's step:
    # a versioned, encrypted, private bucket that refuses plain HTTP. Plans and deploys never
    # create or reconfigure it.
    s3_bucket_tags = local.env.tags
  }
}

remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = merge(local.backend, [for e in local.emulator : e.backend]...)
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<-EOF
    provider "aws" {
      region = "${local.env.aws_region}"
    %{if !local.env.emulated~}
      allowed_account_ids = ["${local.env.account_id}"]
    %{endif~}

      default_tags {
        tags = ${jsonencode(local.tags)}
      }
    ${join("", [for e in local.emulator : e.provider_settings])}}
  EOF
}

# Inputs every module takes; units add their own. Tags reach resources through the provider's
# default_tags only (the modules' tags input stays empty): one place sets them.
inputs = {
  name = local.env.name
}
