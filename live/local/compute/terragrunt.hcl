# The compute unit of the local environment (the emulator): its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/compute.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/compute.hcl"
}

inputs = {
  image_tag                = "1.0.0" # make deploy ENV=local passes its build (TF_VAR_image_tag)
  desired_count            = 2
  autoscaling_min_capacity = 2
  autoscaling_max_capacity = 4
  log_retention_days       = 7
  alb_deletion_protection  = false # `make destroy` must work
  enable_https             = false # no ACM certificate on the emulator: HTTP listener only
  # moto stores the access-log settings (it delivers no logs): the bucket, its policy and
  # the ALB attributes are applied, re-planned and destroyed by the tests.
  alb_access_logs_enabled         = true
  alb_access_logs_expiration_days = 7
  alb_access_logs_force_destroy   = true
  # Not the module's defaults, on purpose: set here once, they must reach the running task's
  # gateway and app (tests/containers/test_deployed_settings.py).
  max_body_bytes                     = 12288
  gateway_keepalive_timeout_seconds  = 70
  gateway_proxy_read_timeout_seconds = 24
}
