# registry unit, shared by every environment: the ECR repositories of the task's images. It
# depends on nothing, so the first deploy can push images before compute creates the service.

terraform {
  source = "${get_repo_root()}/modules//registry"
}

locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

# Account-bound, so in env.hcl: prod runs the images dev ran (promote_images_from, copied by
# digest: `make push-images`), and dev's repositories let prod's push role read them
# (image_pull_role_arns; an operator applies that change: CI's apply role sets no repository
# policy). Both absent: the environment builds its own and shares them with nobody.
inputs = {
  promote_images_from = try(local.env.promote_images_from, null)
  pull_principal_arns = try(local.env.image_pull_role_arns, [])
}
