# The emulator's plumbing for environment "local", read by the root terragrunt.hcl only
# because live/local/env.hcl says `emulated = true`. Nothing here reaches dev or prod.

locals {
  # The make targets export the emulator URL; a developer's own port only needs EMULATOR_PORT=.
  endpoint = get_env("SUMAPI_EMULATOR_ENDPOINT", "http://127.0.0.1:5000")

  # Services the modules call, by the provider's endpoint names ("elbv2" is the ALB's, "logs"
  # CloudWatch Logs, "amp" Amazon Managed Service for Prometheus). Every one must be redirected,
  # otherwise a call would go to real AWS with fake credentials
  # (tests/iac_static/test_provider_compat.py checks the list against the modules' resources).
  services = [
    "amp", "applicationautoscaling", "budgets", "cloudwatch", "ec2", "ecr", "ecs", "elbv2", "iam",
    "kms", "logs", "route53", "s3", "secretsmanager", "sns", "sts", "wafv2",
  ]

  # Merged into the root's remote_state config.
  backend = {
    endpoints = {
      s3  = local.endpoint
      iam = local.endpoint
      sts = local.endpoint
    }
    force_path_style            = true # no wildcard DNS for <bucket>.127.0.0.1
    skip_credentials_validation = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    skip_requesting_account_id  = true
    # The emulator speaks plain HTTP, and moto enforces bucket policies: the TLS-only policy
    # would deny every state read. Real accounts keep it.
    skip_bucket_enforced_tls = true
  }

  # Appended inside the generated provider "aws" block; real environments use none of this.
  provider_settings = <<-EOT

      # The AWS emulator (moto): no EC2 metadata, path-style S3. Credentials come from the
      # environment make sets (the emulator's administrator, or the caller it names: the
      # rehearsal's operator and job roles, mk/infra.mk).
      skip_credentials_validation = true
      skip_metadata_api_check     = true
      skip_region_validation      = true
      s3_use_path_style           = true

      endpoints {
    %{for service in local.services~}
        ${service} = "${local.endpoint}"
    %{endfor~}
      }
  EOT
}
