# The observability unit of the dev environment: its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/observability.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/observability.hcl"
}

locals {
  # The account-bound values (not committed): live/dev/env.hcl.
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

inputs = {
  alarm_email = local.env.alarm_email
}
