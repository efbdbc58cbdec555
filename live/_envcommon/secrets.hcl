# secrets unit, shared by every environment: KMS key and the API keys secret (no value: the key
# tool writes it, see `make rotate-key`). Environment values: live/<env>/env.hcl (locals.secrets).

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${get_repo_root()}/modules//secrets"
}

inputs = local.env.secrets
