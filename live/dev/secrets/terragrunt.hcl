# The secrets unit of the dev environment: its settings. The shared part
# (module) is live/_envcommon/secrets.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/secrets.hcl"
}

inputs = {
  # 0: a destroyed dev can be deployed again at once under the same secret name (7-30 keeps
  # the name reserved that long). prod keeps a window.
  recovery_window_in_days     = 0
  kms_deletion_window_in_days = 7
}
