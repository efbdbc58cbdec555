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
  github_repository = include.root.locals.env.github_repository
  # One GitHub environment per role, none shared: the deploy workflow's rehearsal
  # (tests/containers) runs each job in its environment and checks these roles' trust.
  github_environments      = ["local"]        # the repositories and deploy jobs (apply role)
  push_github_environments = ["local-images"] # the images job (push role)
  plan_github_environments = ["local-plan"]   # the pull-request plan job (plan role)
  # moto does not serve AWS managed policies (ReadOnlyAccess, the default): the plan role
  # keeps its own state-read and lock policy only here.
  plan_policy_arns = {}
}
