# The waf unit of the dev environment: its settings. The shared part (module, dependency and
# its outputs) is live/_envcommon/waf.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/waf.hcl"
}

inputs = {
  enabled            = true
  log_retention_days = 30
}
