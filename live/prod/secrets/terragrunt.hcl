# The secrets unit of the prod environment: its settings. The shared part
# (module) is live/_envcommon/secrets.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/secrets.hcl"
}

inputs = {
  # A deleted secret or key can be restored for 30 days (the longest AWS allows); a destroyed
  # prod cannot be deployed again under the same secret name until then.
  recovery_window_in_days     = 30
  kms_deletion_window_in_days = 30
}
