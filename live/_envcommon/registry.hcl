# registry unit, shared by every environment: the ECR repositories of the task's images. It
# depends on nothing, so the first deploy can push images before compute creates the service.

terraform {
  source = "${get_repo_root()}/modules//registry"
}
