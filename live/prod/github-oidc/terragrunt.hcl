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
  # One GitHub environment per role, none shared (the module refuses an overlap): any step of
  # a job can mint its OIDC token, so a job's environment is what decides its role. On GitHub
  # (Settings -> Environments): prod and prod-images deployment branches main only; prod
  # required reviewers.
  # The apply role: the deploy workflow's repositories and deploy jobs.
  github_environments = ["prod"]
  # The push role: the images job, which builds the images (third-party code) and pushes them.
  push_github_environments = ["prod-images"]
  # The environment a read-only plan job of prod would run in (plan role); no workflow job
  # uses it yet (the pull-request plan job plans dev).
  plan_github_environments = ["prod-plan"]
}
