# Autoscaling of the service's task count.

locals {
  # The request-count target, per target per minute as ALBRequestCountPerTarget counts: the
  # share `autoscaling_headroom` of what one task of this size was measured to serve within
  # the latency SLO (docs/capacity.md, `make capacity`). 0 when the size was never measured:
  # the precondition below stops the plan first.
  requests_per_target = floor(lookup(var.autoscaling_measured_rps_per_task, tostring(var.task_size.cpu), 0) * var.autoscaling_headroom * 60)
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  min_capacity       = var.autoscaling_min_capacity
  max_capacity       = var.autoscaling_max_capacity

  lifecycle {
    precondition {
      condition     = var.autoscaling_min_capacity <= var.desired_count && var.desired_count <= var.autoscaling_max_capacity
      error_message = "Need autoscaling_min_capacity <= desired_count <= autoscaling_max_capacity."
    }
    precondition {
      condition     = contains(keys(var.autoscaling_measured_rps_per_task), tostring(var.task_size.cpu)) && local.requests_per_target >= 1
      error_message = "task_size.cpu has no entry in autoscaling_measured_rps_per_task: measure that size (make capacity, docs/capacity.md) and add its rate, or choose a measured size."
    }
  }
}

# Two target-tracking policies: whichever asks for more tasks wins, and scale-in happens
# only when both agree. CPU catches expensive requests, request count catches many cheap ones.
resource "aws_appautoscaling_policy" "this" {
  for_each = {
    cpu = {
      metric = "ECSServiceAverageCPUUtilization"
      label  = null
      target = var.autoscaling_cpu_target
    }
    requests = {
      metric = "ALBRequestCountPerTarget"
      label  = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.this.arn_suffix}"
      target = local.requests_per_target
    }
  }

  name               = "${var.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
      resource_label         = each.value.label
    }
  }
}
