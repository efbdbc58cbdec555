# The prometheus unit of the prod environment: its settings. The shared part
# (module) is live/_envcommon/prometheus.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/prometheus.hcl"
}

inputs = {
  # On: the collector sidecar and the burn-rate alerts (monitoring/rules). Its cost grows with
  # the task count (docs/cost.md: about $3 a month at 2 tasks).
  enabled = true
}
