# The github-oidc unit of the dev environment: its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/github-oidc.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/github-oidc.hcl"
}

locals {
  # The account-bound values (not committed): live/dev/env.hcl.
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

inputs = {
  github_repository    = local.env.github_repository
  create_oidc_provider = local.env.create_oidc_provider
  oidc_provider_arn    = local.env.oidc_provider_arn
  # The deploy job's GitHub environment (trusted by the apply and push roles). Restrict it to
  # main on GitHub (Settings -> Environments -> dev -> Deployment branches): the OIDC token of
  # an environment job does not name its branch.
  github_environments = ["dev"]
  # The pull-request plan job's environment (read-only plan role); no branch rule.
  plan_github_environments = ["dev-plan"]
}
