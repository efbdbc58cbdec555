# The networking unit of the local environment (the emulator): its settings. The shared part
# (module) is live/_envcommon/networking.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/networking.hcl"
}

inputs = {
  single_nat_gateway       = true
  flow_logs_retention_days = 7
}
