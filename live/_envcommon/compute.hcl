# compute unit, shared by every environment: ECS cluster/service/task, ALB, autoscaling.
# Each environment's sizing, retention, protection and HTTPS settings are the inputs of
# live/<env>/compute/terragrunt.hcl; here, the wiring of the dependencies' outputs.

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals

  # The collector sidecar runs where the prometheus unit made a workspace, except on the
  # emulator: the local ECS runner cannot pull its public image offline (it refuses any image
  # that is not in the private registry) and moto has no remote-write endpoint to send to.
  collector_allowed = !local.env.emulated
}

terraform {
  source = "${get_repo_root()}/modules//compute"
}

# The roles this unit creates carry the workload boundary of the github-oidc unit, which the
# pipeline's apply role may create roles in only; that unit applies first.
dependencies {
  paths = ["${get_terragrunt_dir()}/../github-oidc"]
}

# Mocks stand in only while planning/validating before the dependency was ever applied; an
# apply always reads the real outputs from the dependency's state.
dependency "networking" {
  config_path = "${get_terragrunt_dir()}/../networking"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    vpc_id                  = "vpc-0mock0000000000000"
    vpc_cidr_block          = "10.0.0.0/16"
    public_subnet_ids       = ["subnet-0mock000000000000a", "subnet-0mock000000000000b"]
    private_subnet_ids      = ["subnet-0mock000000000000c", "subnet-0mock000000000000d"]
    alb_security_group_id   = "sg-0mock00000000000a"
    tasks_security_group_id = "sg-0mock00000000000b"
    gateway_port            = 8080
  }
}

dependency "registry" {
  config_path = "${get_terragrunt_dir()}/../registry"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    repository_urls = {
      app   = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sumapi-mock/app"
      nginx = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sumapi-mock/nginx"
    }
    repository_arns = {
      app   = "arn:aws:ecr:us-east-1:123456789012:repository/sumapi-mock/app"
      nginx = "arn:aws:ecr:us-east-1:123456789012:repository/sumapi-mock/nginx"
    }
  }
}

dependency "secrets" {
  config_path = "${get_terragrunt_dir()}/../secrets"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mock/api-keys-AbCdEf"
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  }
}

# A disabled workspace leaves null outputs, which the state does not keep: hence try().
dependency "prometheus" {
  config_path = "${get_terragrunt_dir()}/../prometheus"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    enabled          = true
    workspace_arn    = "arn:aws:aps:us-east-1:123456789012:workspace/ws-00000000-0000-0000-0000-000000000000"
    remote_write_url = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-00000000-0000-0000-0000-000000000000/api/v1/remote_write"
  }
}

inputs = {
  permissions_boundary_arn = "arn:aws:iam::${local.env.account_id}:policy/${local.env.name}-workload-boundary"
  vpc_id                   = dependency.networking.outputs.vpc_id
  public_subnet_ids        = dependency.networking.outputs.public_subnet_ids
  private_subnet_ids       = dependency.networking.outputs.private_subnet_ids
  alb_security_group_id    = dependency.networking.outputs.alb_security_group_id
  tasks_security_group_id  = dependency.networking.outputs.tasks_security_group_id
  gateway_port             = dependency.networking.outputs.gateway_port
  trusted_proxy_cidrs      = [dependency.networking.outputs.vpc_cidr_block]
  api_keys_secret_arn      = dependency.secrets.outputs.secret_arn
  api_keys_kms_key_arn     = dependency.secrets.outputs.kms_key_arn
  repository_urls          = dependency.registry.outputs.repository_urls
  repository_arns          = dependency.registry.outputs.repository_arns
  # null (no collector, task definition unchanged) without a workspace or on the emulator.
  prometheus_remote_write_url = local.collector_allowed && dependency.prometheus.outputs.enabled ? try(dependency.prometheus.outputs.remote_write_url, null) : null
  prometheus_workspace_arn    = local.collector_allowed && dependency.prometheus.outputs.enabled ? try(dependency.prometheus.outputs.workspace_arn, null) : null
}
