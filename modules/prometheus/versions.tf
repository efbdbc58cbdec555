terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 3.39 is the version proven here (emulator): it has aws_prometheus_workspace (alias only,
      # no tags) but no rule groups namespace or alert manager resources, which ops/amp_config.py
      # loads instead. Every argument used means the same up to
      # 5.x (4.x and 5.x upgrade guides). 6.x is not claimed. tests/iac_static/test_provider_compat.py
      # keeps arguments removed or renamed within this range out.
      version = ">= 3.39, < 6"
    }
  }
}
