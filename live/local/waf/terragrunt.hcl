# The waf unit of the local environment (the emulator): its settings. The shared part
# (module, dependency and its outputs) is live/_envcommon/waf.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/waf.hcl"
}

inputs = {
  # On, so that the tests apply, re-plan and destroy the web ACL, its association with the
  # ALB and its logs (localenv/moto_wafv2.py). It filters nothing here: the local load balancer
  # is an nginx, not the ALB (false leaves the local stack without it).
  enabled            = true
  log_retention_days = 7
}
