# secrets unit, shared by every environment: KMS key and the API keys secret (no value: the key
# tool writes it, see `make rotate-key`). It depends on nothing; each environment's recovery
# and deletion windows are the inputs of live/<env>/secrets/terragrunt.hcl.

terraform {
  source = "${get_repo_root()}/modules//secrets"
}
