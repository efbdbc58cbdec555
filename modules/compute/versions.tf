terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 3.39 is the version proven here (emulator). 4.0.0-4.8.0 are excluded: they made the
      # inline aws_s3_bucket blocks of the access-log bucket (server_side_encryption_configuration,
      # lifecycle_rule) read-only, and 3.39 has no standalone resources for them; 4.9.0 made
      # them configurable again (deprecated, still accepted in 5.x). 6.x is not claimed.
      # tests/iac_static/test_provider_compat.py checks this against the arguments the module uses.
      version = ">= 3.39, != 4.0.0, != 4.1.0, != 4.2.0, != 4.3.0, != 4.4.0, != 4.5.0, != 4.6.0, != 4.7.0, != 4.8.0, < 6"
    }
  }
}
