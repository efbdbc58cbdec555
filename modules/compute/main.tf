# compute: the data sources and switches the module's files share.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  # The collector is on when a workspace is given; one input without the other stops at the
  # task definition's precondition.
  collector_enabled = var.prometheus_remote_write_url != null && var.prometheus_workspace_arn != null
  # The task's containers, in task definition order: the collector, when on, comes third so
  # that app and nginx keep their place.
  container_names = concat(["app", "nginx"], local.collector_enabled ? ["collector"] : [])

  https_enabled = var.enable_https
}
