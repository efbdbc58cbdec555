# The github-oidc unit of the dev environment: its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/github-oidc.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
  # include.root.locals.env: live/dev/env.hcl as the root read it (account-bound values).
  expose = true
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/github-oidc.hcl"
}

inputs = {
  github_repository    = include.root.locals.env.github_repository
  create_oidc_provider = include.root.locals.env.create_oidc_provider
  oidc_provider_arn    = include.root.locals.env.oidc_provider_arn
  # The deploy job's GitHub environment (trusted by the apply and push roles). Restrict it to
  # main on GitHub (Settings -> Environments -> dev -> Deployment branches): the OIDC token of
  # an environment job does not name its branch.
  github_environments = ["dev"]
  # The pull-request plan job's environment (read-only plan role); no branch rule.
  plan_github_environments = ["dev-plan"]
}
