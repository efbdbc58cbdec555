# The github-oidc unit of the prod environment: its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/github-oidc.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
  # include.root.locals.env: live/prod/env.hcl as the root read it (account-bound values).
  expose = true
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/github-oidc.hcl"
}

inputs = {
  github_repository    = include.root.locals.env.github_repository
  create_oidc_provider = include.root.locals.env.create_oidc_provider
  oidc_provider_arn    = include.root.locals.env.oidc_provider_arn
  # The deploy job's GitHub environment (trusted by the apply and push roles). On GitHub:
  # deployment branches main only and required reviewers (Settings -> Environments -> prod).
  github_environments = ["prod"]
  # The environment a read-only plan job of prod would run in (plan role); no workflow job
  # uses it yet (the pull-request plan job plans dev).
  plan_github_environments = ["prod-plan"]
}
