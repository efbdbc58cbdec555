# The ECS service: Fargate tasks in the private subnets behind the target group.

resource "aws_ecs_service" "this" {
  name             = var.name
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # Rolling deployments never drop below the current capacity; a deployment whose
  # tasks never become healthy is stopped and rolled back automatically, and so is one
  # during which a deployment alarm goes off (deployment_alarms.tf).
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  alarms {
    alarm_names = [aws_cloudwatch_metric_alarm.deployment_error_rate.alarm_name, aws_cloudwatch_metric_alarm.deployment_no_healthy_hosts.alarm_name]
    enable      = true
    rollback    = true
  }

  health_check_grace_period_seconds = var.health_check_grace_period_seconds
  propagate_tags                    = "SERVICE"
  enable_ecs_managed_tags           = true

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.tasks_security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = "nginx"
    container_port   = var.gateway_port
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    # Autoscaling owns the task count once the service exists.
    ignore_changes = [desired_count]
  }

  # The target group must be attached to the ALB before a service can register into it, and the
  # roles' policies must exist before the first task starts (IAM is eventually consistent: a
  # task started first fails to pull its image or read its secret, its collector to remote
  # write). tests/iac_static/test_module_intent.py checks that every policy of both roles is here.
  depends_on = [
    aws_lb_listener.http, aws_lb_listener.https, aws_iam_role_policy.execution, aws_iam_role_policy.task_remote_write,
  ]
}
