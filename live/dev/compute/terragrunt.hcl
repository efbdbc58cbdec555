# The compute unit of the dev environment: its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/compute.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
  # include.root.locals.env: live/dev/env.hcl as the root read it (account-bound values).
  expose = true
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/compute.hcl"
}

inputs = {
  # A placeholder, for the first plan only: every deploy of compute names the pushed commit SHA
  # (IMAGE_TAG=, which make passes as TF_VAR_image_tag and which wins; make refuses a deploy
  # without it), and a plan without IMAGE_TAG plans the tag compute runs (its image_tag output).
  image_tag                = "1.0.0"
  desired_count            = 2
  autoscaling_min_capacity = 2
  autoscaling_max_capacity = 6
  log_retention_days       = 30
  # destroy needs it lifted first: `make destroy ENV=dev UNPROTECT=1` (docs/runbook.md)
  alb_deletion_protection = true
  enable_https            = true
  certificate_arn         = include.root.locals.env.certificate_arn
  domain_name             = include.root.locals.env.domain_name
  route53_zone_id         = include.root.locals.env.route53_zone_id
  # Access logs in the module's bucket <name>-alb-logs-<account> (SSE-S3, TLS only).
  alb_access_logs_enabled         = true
  alb_access_logs_expiration_days = 90
}
