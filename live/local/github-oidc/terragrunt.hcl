# The github-oidc unit of the local environment (the emulator): its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/github-oidc.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
  # include.root.locals.env: live/local/env.hcl as the root read it (account-bound values).
  expose = true
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/github-oidc.hcl"
}

inputs = {
  github_repository        = include.root.locals.env.github_repository
  github_environments      = ["local"]      # the deploy job's GitHub environment
  plan_github_environments = ["local-plan"] # the pull-request plan job's
  # moto does not serve AWS managed policies (ReadOnlyAccess, the default): the plan role
  # keeps its own state-read and lock policy only here.
  plan_policy_arns = {}
}
