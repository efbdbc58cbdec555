# The networking unit of the prod environment: its settings. The shared part
# (module) is live/_envcommon/networking.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/networking.hcl"
}

inputs = {
  # One NAT gateway per AZ: an AZ outage leaves the other AZ's tasks their egress (ECR pulls,
  # Secrets Manager, logs). About $39 a month more than one NAT (docs/cost.md).
  single_nat_gateway       = false
  flow_logs_retention_days = 365
  alb_ingress_cidrs        = ["0.0.0.0/0"]
}
