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
  # One GitHub environment per role, none shared (the module refuses an overlap): any step of
  # a job can mint its OIDC token, so a job's environment is what decides its role. Restrict
  # dev and dev-images to main on GitHub (Settings -> Environments -> Deployment branches): the
  # OIDC token of an environment job does not name its branch.
  # The apply role: the deploy workflow's repositories and deploy jobs.
  github_environments = ["dev"]
  # The push role: the images job, which builds the images (third-party code) and pushes them.
  push_github_environments = ["dev-images"]
  # The pull-request plan job's environment (read-only plan role); no branch rule.
  plan_github_environments = ["dev-plan"]
}
