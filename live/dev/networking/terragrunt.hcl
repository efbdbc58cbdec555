# The networking unit of the dev environment: its settings. The shared part
# (module) is live/_envcommon/networking.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/networking.hcl"
}

inputs = {
  single_nat_gateway       = true # one NAT for dev (prod: one per AZ)
  flow_logs_retention_days = 90
  alb_ingress_cidrs        = ["0.0.0.0/0"]
}
