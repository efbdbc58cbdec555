# The github-oidc unit of the local environment (the emulator): its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/github-oidc.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/github-oidc.hcl"
}

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

inputs = {
  github_repository        = local.env.github_repository
  github_environments      = ["local"]      # the deploy job's GitHub environment
  plan_github_environments = ["local-plan"] # the pull-request plan job's
  # moto does not serve AWS managed policies (ReadOnlyAccess, the default): the plan role
  # keeps its own state-read and lock policy only here.
  plan_policy_arns = {}
}
