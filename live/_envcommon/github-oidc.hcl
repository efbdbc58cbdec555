# github-oidc unit: the GitHub OIDC provider and the roles CI's jobs assume (apply, push, and
# the pull-request plan role). An operator applies it with admin credentials; CI never does.
# The repository and the GitHub environments each role trusts are the inputs of
# live/<env>/github-oidc/terragrunt.hcl; here, the resources and state keys the roles may touch.

locals {
  env      = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  live_dir = dirname(find_in_parent_folders("env.hcl"))
  root_dir = dirname(find_in_parent_folders("terragrunt.hcl"))

  # The units CI applies: every unit of the environment but this one. Their state objects are
  # the only ones the apply role may write.
  units    = sort([for f in fileset(local.live_dir, "*/terragrunt.hcl") : dirname(f)])
  ci_units = [for u in local.units : u if u != basename(get_terragrunt_dir())]
}

terraform {
  source = "${get_repo_root()}/modules//github-oidc"
}

dependency "registry" {
  config_path = "${get_terragrunt_dir()}/../registry"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    repository_arns = {
      app   = "arn:aws:ecr:us-east-1:123456789012:repository/sumapi-mock/app"
      nginx = "arn:aws:ecr:us-east-1:123456789012:repository/sumapi-mock/nginx"
    }
  }
}

dependency "compute" {
  config_path = "${get_terragrunt_dir()}/../compute"

  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
  mock_outputs = {
    cluster_name       = "sumapi-mock"
    execution_role_arn = "arn:aws:iam::123456789012:role/sumapi-mock-execution"
    task_role_arn      = "arn:aws:iam::123456789012:role/sumapi-mock-task"
  }
}

inputs = {
  # Roles are account-wide; the env name keeps dev and prod roles apart in one account.
  name                    = "${local.env.name}-github-deploy"
  ecr_repository_arns     = values(dependency.registry.outputs.repository_arns)
  ecs_cluster_name        = dependency.compute.outputs.cluster_name
  ecs_execution_role_arns = [dependency.compute.outputs.execution_role_arn, dependency.compute.outputs.task_role_arn]
  state_bucket_name       = local.env.state_bucket
  # The root's state keys: <the unit's path from the root's directory>/terraform.tfstate. Both
  # paths come from the same walk up from the unit: get_path_from_repo_root() fails when
  # Terragrunt runs with a relative --working-dir, as make's MODULE= runs do.
  state_key_prefix = "${trimprefix(local.live_dir, "${local.root_dir}/")}/"
  state_units      = local.ci_units
  # `make push-images` reads the repository URLs from the registry unit's outputs.
  push_state_units = ["registry"]
}
