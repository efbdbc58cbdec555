# bootstrap unit: the GitHub OIDC provider and the role CI's deploy job assumes. An operator
# applies it once with admin credentials; afterwards CI deploys with that role only.
# Environment values come from live/<env>/env.hcl (locals.bootstrap).

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
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

inputs = merge(local.env.bootstrap, {
  # The role is account-wide; the env name keeps dev and prod roles apart in one account.
  name                    = "${local.env.name}-github-deploy"
  ecr_repository_arns     = values(dependency.registry.outputs.repository_arns)
  ecs_cluster_name        = dependency.compute.outputs.cluster_name
  ecs_execution_role_arns = [dependency.compute.outputs.execution_role_arn, dependency.compute.outputs.task_role_arn]
  state_bucket_name       = local.env.state_bucket
  lock_table_name         = local.env.lock_table
})
