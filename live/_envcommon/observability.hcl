# observability unit, shared by every environment: SNS topic, dashboard, alarms on compute and
# on the waf unit's web ACL, the monthly budget (and the topic policy that lets the prometheus
# unit's workspace and AWS Budgets publish to it). Each environment's alarm e-mail, thresholds
# and budget are the inputs of live/<env>/observability/terragrunt.hcl; here, the wiring of
# compute's, waf's and prometheus's outputs.

terraform {
  source = "${get_repo_root()}/modules//observability"
}

dependency "compute" {
  config_path = "${get_terragrunt_dir()}/../compute"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    alb_arn_suffix          = "app/sumapi-mock/0123456789abcdef"
    target_group_arn_suffix = "targetgroup/sumapi-mock/0123456789abcdef"
    cluster_name            = "sumapi-mock"
    service_name            = "sumapi-mock"
    app_log_group_name      = "/ecs/sumapi-mock/app"
    nginx_log_group_name    = "/ecs/sumapi-mock/nginx"
  }
}

# The workspace's alert manager publishes to this unit's topic (topic policy); a disabled
# workspace leaves no workspace_arn in the state, hence try().
dependency "prometheus" {
  config_path = "${get_terragrunt_dir()}/../prometheus"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    enabled       = true
    workspace_arn = "arn:aws:aps:us-east-1:123456789012:workspace/ws-00000000-0000-0000-0000-000000000000"
  }
}

# A disabled web ACL leaves no web_acl_name in the state, hence try().
dependency "waf" {
  config_path = "${get_terragrunt_dir()}/../waf"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    enabled      = true
    web_acl_name = "sumapi-mock"
  }
}

inputs = {
  alb_arn_suffix           = dependency.compute.outputs.alb_arn_suffix
  target_group_arn_suffix  = dependency.compute.outputs.target_group_arn_suffix
  cluster_name             = dependency.compute.outputs.cluster_name
  service_name             = dependency.compute.outputs.service_name
  app_log_group_name       = dependency.compute.outputs.app_log_group_name
  nginx_log_group_name     = dependency.compute.outputs.nginx_log_group_name
  prometheus_workspace_arn = try(dependency.prometheus.outputs.workspace_arn, null)
  waf_web_acl_name         = try(dependency.waf.outputs.web_acl_name, null)
}
