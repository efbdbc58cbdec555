# The compute unit of the prod environment: its settings. The shared part
# (module, dependencies and their outputs) is live/_envcommon/compute.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
  # include.root.locals.env: live/prod/env.hcl as the root read it (account-bound values).
  expose = true
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/compute.hcl"
}

inputs = {
  # A placeholder, for the first plan only: every deploy of compute names the pushed commit SHA
  # (IMAGE_TAG=, which make passes as TF_VAR_image_tag and which wins; make refuses a deploy
  # without it), and a plan without IMAGE_TAG plans the tag compute runs (its image_tag output).
  image_tag = "1.0.0"
  # The size with the least CPU (and money: Fargate prices by vCPU) per request in the capacity
  # table: 2338 requests/s within the latency SLO per task (docs/capacity.md, "Sizing prod").
  task_size = { cpu = 256, memory = 512 }
  # Three tasks over two AZs: one task or one AZ can go while the others carry the load.
  desired_count            = 3
  autoscaling_min_capacity = 3
  autoscaling_max_capacity = 12
  log_retention_days       = 365
  # destroy needs it lifted first: `make destroy ENV=prod UNPROTECT=1` (docs/runbook.md)
  alb_deletion_protection = true
  enable_https            = true
  certificate_arn         = include.root.locals.env.certificate_arn
  domain_name             = include.root.locals.env.domain_name
  route53_zone_id         = include.root.locals.env.route53_zone_id
  # Access logs in the module's bucket <name>-alb-logs-<account> (SSE-S3, TLS only), kept a
  # year; a destroy keeps the bucket unless UNPROTECT=1 (alb_access_logs_force_destroy).
  alb_access_logs_enabled         = true
  alb_access_logs_expiration_days = 365
}
