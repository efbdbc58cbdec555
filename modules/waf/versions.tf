terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.100.0 is the provider every suite runs (versions.env AWS_PROVIDER_VERSION) and the
      # lock files of live/<env>/<unit> pin it. "~> 5.100" admits only 5.100 and its patch
      # releases (5.100 is the last 5.x minor) and no 6.x, whose changes are listed in
      # docs/infrastructure.md ("Provider"). tests/iac_static/test_provider_compat.py checks this.
      version = "~> 5.100"
    }
  }
}
