# The secrets unit of the local environment (the emulator): its settings. The shared part
# (module) is live/_envcommon/secrets.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/secrets.hcl"
}

inputs = {
  recovery_window_in_days     = 0 # throw-away: deleted at once, so a re-deploy can reuse the name
  kms_deletion_window_in_days = 7
}
