# waf unit, shared by every environment: the AWS WAF web ACL in front of compute's ALB, its
# association and logs. Its rate-based rules are derived from the rate limits compute gives
# each task's nginx (compute.gateway_rate_limits), so the two are set once, in compute. Whether
# an environment has it (enabled) and how long it keeps the logs are the inputs of
# live/<env>/waf/terragrunt.hcl; here, the wiring of compute's outputs.

terraform {
  source = "${get_repo_root()}/modules//waf"
}

dependency "compute" {
  config_path = "${get_terragrunt_dir()}/../compute"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    alb_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/sumapi-mock/0123456789abcdef"
    gateway_rate_limits = {
      sum             = { per_second = 5, burst = 10 }
      unauthenticated = { per_second = 2, burst = 10 }
    }
  }
}

inputs = {
  alb_arn             = dependency.compute.outputs.alb_arn
  gateway_rate_limits = dependency.compute.outputs.gateway_rate_limits
}
