terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 3.39 is the version proven here (emulator). < 6: aws_eip's `vpc = true` is the only
      # spelling 3.39-5.x all accept (5.x warns it is deprecated); 6.0 removed it and
      # `domain = "vpc"` is refused before 5.0. tests/iac_static/test_provider_compat.py checks this.
      version = ">= 3.39, < 6"
    }
  }
}
