# The ECS cluster.

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }

  tags = merge(var.tags, { Name = var.name })

  # Container Insights would create its log group itself (without retention) on first use.
  depends_on = [aws_cloudwatch_log_group.container_insights]
}
