# The github-oidc unit of the prod environment: its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/github-oidc.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/github-oidc.hcl"
}

locals {
  # The account-bound values (not committed): live/prod/env.hcl.
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

inputs = {
  github_repository    = local.env.github_repository
  create_oidc_provider = local.env.create_oidc_provider
  oidc_provider_arn    = local.env.oidc_provider_arn
  # The deploy job's GitHub environment (trusted by the apply and push roles). On GitHub:
  # deployment branches main only and required reviewers (Settings -> Environments -> prod).
  github_environments = ["prod"]
  # The environment a read-only plan job of prod would run in (plan role); no workflow job
  # uses it yet (the pull-request plan job plans dev).
  plan_github_environments = ["prod-plan"]
}
