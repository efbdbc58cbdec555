# Environment "local": the AWS emulator (moto) started by `make emulator` on 127.0.0.1.
# Everything it holds, including the state bucket, lives in its memory: `make down` wipes it.
locals {
  environment = "local"
  emulated    = true # the root reads live/local/emulator.hcl (endpoints, fake credentials)
  aws_region  = "us-east-1"
  account_id  = "123456789012" # moto's fixed account

  name         = "sumapi-local"
  state_bucket = "sumapi-local-tfstate" # locks are S3 lock files beside each state object

  tags = {
    Project = "sumapi"
    Owner   = "platform"
  }

  # Per-unit module settings (inputs), the environment's only knobs.
  networking = {
    single_nat_gateway       = true
    flow_logs_retention_days = 7
  }
  secrets = {
    recovery_window_in_days     = 0 # throw-away: deleted at once, so a re-deploy can reuse the name
    kms_deletion_window_in_days = 7
  }
  compute = {
    image_tag                = "1.0.0"
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
  }
  prometheus = {
    # Off: provider 3.39 has no endpoint override for AMP, so the workspace would be created
    # in real AWS, not in the emulator. The unit still applies (nothing), and the tests prove
    # the "off" path: no collector, SNS's default topic policy, the rules step skipped. The
    # rules step itself is proven against moto's AMP by tests/infra/test_amp_config.py.
    enabled = false
  }
  observability = {
    alarm_email = null
  }
  github_oidc = {
    github_repository        = "example-org/sumapi"
    github_environments      = ["local"]      # the deploy job's GitHub environment
    plan_github_environments = ["local-plan"] # the pull-request plan job's
    # moto does not serve AWS managed policies (ReadOnlyAccess, the default): the plan role
    # keeps its own state-read and lock policy only here.
    plan_policy_arns = {}
  }
}
