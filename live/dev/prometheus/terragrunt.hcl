# The prometheus unit of the dev environment: its settings. The shared part
# (module) is live/_envcommon/prometheus.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/prometheus.hcl"
}

inputs = {
  # About $3 a month at 2 tasks and a 30 s scrape (docs/cost.md): on. false = no workspace,
  # no collector, no rules; the CloudWatch alarms page alone.
  enabled = true
}
