# github-oidc unit: the GitHub OIDC provider and the roles CI's jobs assume (apply, push, and
# the pull-request plan role). An operator applies it with admin credentials; CI never does.
# The repository and the GitHub environments each role trusts are the inputs of
# live/<env>/github-oidc/terragrunt.hcl; here, the stack and state keys the roles may touch.

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

inputs = {
  # Roles are account-wide; the env name keeps dev and prod roles apart in one account.
  name = "${local.env.name}-github-deploy"
  # The roles' rights are scoped by the names the other units' modules give their resources,
  # not by those units' outputs: this unit depends on none, so an operator applies it before
  # anything else exists (docs/runbook.md#first-deploy) and the pipeline creates the rest.
  stack_name        = local.env.name
  route53_zone_id   = try(local.env.route53_zone_id, null)
  state_bucket_name = local.env.state_bucket
  # The root's state keys: <the unit's path from the root's directory>/terraform.tfstate. Both
  # paths come from the same walk up from the unit: get_path_from_repo_root() fails when
  # Terragrunt runs with a relative --working-dir, as make's MODULE= runs do.
  state_key_prefix = "${trimprefix(local.live_dir, "${local.root_dir}/")}/"
  state_units      = local.ci_units
  # `make push-images` reads the repository URLs from the registry unit's outputs.
  push_state_units = ["registry"]
  # An environment that promotes another's images (prod: dev's) reads their repositories.
  promotion_source_repository_arns = try(local.env.promote_images_from, null) == null ? [] : [
    "arn:aws:ecr:${local.env.promote_images_from.region}:${local.env.promote_images_from.account_id}:repository/${local.env.promote_images_from.name}/*"
  ]
}
