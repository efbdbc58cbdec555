# The prometheus unit of the local environment (the emulator): its settings. The shared part
# (module) is live/_envcommon/prometheus.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/prometheus.hcl"
}

inputs = {
  # On: the emulator holds the workspace, its rule groups namespaces and (localenv/moto_fixes.py)
  # the alert manager definition, so the tests apply, re-plan and destroy all three. Compute
  # still runs no collector here (live/_envcommon/compute.hcl): it would remote-write nowhere.
  enabled = true
}
