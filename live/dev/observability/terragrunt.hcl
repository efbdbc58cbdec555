# The observability unit of the dev environment: its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/observability.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
  # include.root.locals.env: live/dev/env.hcl as the root read it (account-bound values).
  expose = true
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/observability.hcl"
}

inputs = {
  alarm_email = include.root.locals.env.alarm_email
  # The dev estimate of docs/cost.md ("The budget"): its upper end x 1.4, rounded up to $10.
  # Only the costs tagged with this environment (activate the tag: docs/runbook.md#first-deploy).
  budget = {
    limit_usd           = 150
    cost_allocation_tag = { key = "Environment", value = include.root.locals.env.environment }
  }
}
