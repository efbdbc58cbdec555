# tflint of the Terraform modules: `make lint-tf` (part of make test). Offline: the tools and
# the AWS ruleset are built from the Go module proxy by make (mk/docs.mk), never by
# `tflint --init`. See docs/infrastructure.md.
tflint {
  required_version = ">= 0.64"
}

config {
  # Each module is linted on its own (tflint --recursive): no module calls to follow.
  call_module_type = "none"
}

# Bundled with tflint. Recommended preset, plus the rules that hold the terraform-aws-modules
# style the modules follow (descriptions everywhere, the standard file layout, snake_case).
plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

rule "terraform_standard_module_structure" {
  enabled = true
}

rule "terraform_naming_convention" {
  enabled = true
}

rule "terraform_comment_syntax" {
  enabled = true
}

rule "terraform_unused_required_providers" {
  enabled = true
}

# github.com/terraform-linters/tflint-ruleset-aws, built by make from the version in
# versions.env into TFLINT_PLUGIN_DIR. No source/version here: that would make tflint want
# `tflint --init` (a download from GitHub releases, unreachable offline).
plugin "aws" {
  enabled = true
}
