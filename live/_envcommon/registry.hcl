# registry unit, shared by every environment: the ECR repositories of the task's images. It
# depends on nothing, so the first deploy can push images before compute creates the service.
# Environment values come from live/<env>/env.hcl (locals.registry, optional).

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${get_repo_root()}/modules//registry"
}

inputs = lookup(local.env, "registry", {})
