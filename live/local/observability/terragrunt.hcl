# The observability unit of the local environment (the emulator). The shared part
# (module, dependencies and their outputs) is live/_envcommon/observability.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
  # include.root.locals.env: live/local/env.hcl as the root read it.
  expose = true
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/observability.hcl"
}

# No alarm e-mail on the emulator (the module's default, null): the topic has no subscriber.
inputs = {
  # The emulator bills nothing: dev's budget, so that the tests apply, re-plan and destroy the
  # same resource (moto's Budgets, localenv/moto_budgets.py) and the topic policy it needs.
  budget = {
    limit_usd           = 150
    cost_allocation_tag = { key = "Environment", value = include.root.locals.env.environment }
  }
}
