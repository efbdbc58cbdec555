data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  # The collector is on when a workspace is given; one input without the other stops at the
  # task definition's precondition.
  collector_enabled = var.prometheus_remote_write_url != null && var.prometheus_workspace_arn != null
  containers        = toset(concat(["app", "nginx"], local.collector_enabled ? ["collector"] : []))

  app_image   = coalesce(var.app_image, "${var.repository_urls["app"]}:${var.image_tag}")
  nginx_image = coalesce(var.nginx_image, "${var.repository_urls["nginx"]}:${var.image_tag}")

  # Task-local scratch volumes make the read-only root filesystems workable: one per
  # writable path, named after container and path ("nginx-var-cache-nginx").
  writable_paths = {
    app   = var.app_writable_paths
    nginx = var.nginx_writable_paths
  }
  scratch_volumes = merge([
    for container, paths in local.writable_paths : {
      for path in paths : "${container}${replace(path, "/", "-")}" => { container = container, path = path }
    }
  ]...)

  app_health_check_command = var.app_health_check_command != null ? var.app_health_check_command : [
    "CMD", "python", "-c",
    "import sys,urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:${var.app_port}/healthz', timeout=3).status != 200)",
  ]
  nginx_health_check_command = var.nginx_health_check_command != null ? var.nginx_health_check_command : [
    "CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:${var.gateway_port}/healthz || exit 1",
  ]

  # SUMAPI_* settings (src/sumapi/config.py, README "The API and the service"): the app
  # listens on localhost only; nginx is the task's single entry point. Merged under the
  # caller's extras so these always win.
  app_environment = merge(var.app_environment, {
    SUMAPI_HOST                     = "127.0.0.1"
    SUMAPI_PORT                     = tostring(var.app_port)
    SUMAPI_DRAIN_SECONDS            = tostring(var.app_drain_seconds)
    SUMAPI_SHUTDOWN_TIMEOUT_SECONDS = tostring(var.app_shutdown_timeout_seconds)
    SUMAPI_LOG_LEVEL                = var.app_log_level
    SUMAPI_VERSION                  = coalesce(var.app_version, var.image_tag)
    SUMAPI_COMMIT                   = var.app_commit
  })

  # nginx/render inputs: listen on the mapped port, proxy to the app over localhost.
  nginx_environment = merge(
    var.nginx_environment,
    { LISTEN_PORT = tostring(var.gateway_port), UPSTREAM = "127.0.0.1:${var.app_port}" },
    length(var.trusted_proxy_cidrs) > 0 ? { TRUSTED_PROXIES = join(",", var.trusted_proxy_cidrs) } : {},
  )

  health_check_timing = {
    interval    = 10
    timeout     = 5
    retries     = 3
    startPeriod = 15
  }

  https_enabled = var.enable_https

  # ADOT collector (AOT_CONFIG_CONTENT): scrape the app on loopback (the gateway hides
  # /metrics) and remote-write to the workspace, signed with the task role. The job name must
  # stay "sumapi" (monitoring/rules read up{job="sumapi"}). Every task scrapes the same
  # 127.0.0.1 target, so the instance label is replaced by the task ARN (ecs resource
  # detection): without it the tasks would write the same series over each other.
  collector_config = {
    extensions = {
      sigv4auth = { region = data.aws_region.current.name, service = "aps" }
    }
    receivers = {
      prometheus = {
        config = {
          global = {
            scrape_interval = "${var.prometheus_scrape_interval_seconds}s"
            scrape_timeout  = "${min(10, var.prometheus_scrape_interval_seconds)}s"
          }
          scrape_configs = [{
            job_name       = "sumapi"
            metrics_path   = "/metrics"
            static_configs = [{ targets = ["127.0.0.1:${var.app_port}"] }]
          }]
        }
      }
    }
    processors = {
      # Drops data instead of growing past the container's hard limit (then ECS kills it).
      memory_limiter = {
        check_interval  = "1s"
        limit_mib       = floor(var.prometheus_collector_resources.memory * 0.8)
        spike_limit_mib = floor(var.prometheus_collector_resources.memory * 0.2)
      }
      resourcedetection = { detectors = ["ecs"], timeout = "5s", override = false }
      "resource/instance" = {
        attributes = [{ key = "service.instance.id", from_attribute = "aws.ecs.task.arn", action = "upsert" }]
      }
      batch = { timeout = "30s" }
    }
    exporters = {
      prometheusremotewrite = {
        endpoint = var.prometheus_remote_write_url
        auth     = { authenticator = "sigv4auth" }
      }
    }
    service = {
      extensions = ["sigv4auth"]
      pipelines = {
        metrics = {
          receivers  = ["prometheus"]
          processors = ["memory_limiter", "resourcedetection", "resource/instance", "batch"]
          exporters  = ["prometheusremotewrite"]
        }
      }
    }
  }

  collector_container = {
    name  = "collector"
    image = var.prometheus_collector_image
    # Not essential: a collector that crashes or is OOM-killed costs that task's metrics,
    # never the service (ECS does not restart it; the task keeps serving until replaced).
    essential              = false
    readonlyRootFilesystem = true
    cpu                    = var.prometheus_collector_resources.cpu
    memory                 = var.prometheus_collector_resources.memory
    environment            = [{ name = "AOT_CONFIG_CONTENT", value = yamlencode(local.collector_config) }]
    # Scrapes start once the app answers; failed scrapes before that would read as up == 0.
    dependsOn = [{ containerName = "app", condition = "HEALTHY" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = try(aws_cloudwatch_log_group.this["collector"].name, null)
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "collector"
      }
    }
  }
}

################################################################################
# Logs (the writer owns its log groups: observability only reads them)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through log_kms_key_arn (its key policy must trust CloudWatch Logs); without it CloudWatch Logs encrypts at rest with its own keys.
  for_each = local.containers

  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

################################################################################
# IAM: execution role (the agent: pull, log, read the secret) and task role (the app)
################################################################################

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${substr(var.name, 0, 24)}-exec-"
  description        = "ECS task execution role of ${var.name}: pull its images, write its logs, read its API keys"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = merge(var.tags, { Name = "${var.name}-execution" })
}

data "aws_iam_policy_document" "execution" {
  # GetAuthorizationToken is account-wide by design: it has no resource-level permissions.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "EcrPullOwnRepositories"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = values(var.repository_arns)
  }

  statement {
    sid       = "WriteOwnLogGroups"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for g in aws_cloudwatch_log_group.this : "${g.arn}:*"]
  }

  statement {
    sid       = "ReadApiKeysSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.api_keys_secret_arn]
  }

  statement {
    sid       = "DecryptApiKeysSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.api_keys_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-read-api-keys"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# The containers call no AWS API; the role exists so they never fall back to the
# execution role's rights and so that future needs get their own least-privilege policy.
resource "aws_iam_role" "task" {
  name_prefix        = "${substr(var.name, 0, 24)}-task-"
  description        = "ECS task role of ${var.name} (no permissions unless a Prometheus collector runs)"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = merge(var.tags, { Name = "${var.name}-task" })
}

# The collector sidecar is the one container that calls AWS: remote write to one workspace.
data "aws_iam_policy_document" "task_remote_write" {
  count = local.collector_enabled ? 1 : 0

  statement {
    sid       = "RemoteWriteOwnWorkspace"
    actions   = ["aps:RemoteWrite"]
    resources = [var.prometheus_workspace_arn]
  }
}

resource "aws_iam_role_policy" "task_remote_write" {
  count = local.collector_enabled ? 1 : 0

  name   = "prometheus-remote-write"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_remote_write[0].json
}

################################################################################
# ECS cluster, task definition, service
################################################################################

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.task_size.cpu)
  memory                   = tostring(var.task_size.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  # The collector, when on, comes third: the first two keep their place and their shape.
  container_definitions = jsonencode(concat([
    {
      name                   = "app"
      image                  = local.app_image
      essential              = true
      user                   = var.app_user
      readonlyRootFilesystem = true
      # No portMappings: nginx reaches the app on 127.0.0.1 (shared awsvpc network namespace).
      environment = [for k in sort(keys(local.app_environment)) : { name = k, value = local.app_environment[k] }]
      mountPoints = [
        for v, m in local.scratch_volumes : { sourceVolume = v, containerPath = m.path, readOnly = false } if m.container == "app"
      ]
      healthCheck = merge(local.health_check_timing, { command = local.app_health_check_command })
      stopTimeout = var.stop_timeout_seconds
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this["app"].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "app"
        }
      }
    },
    {
      name                   = "nginx"
      image                  = local.nginx_image
      essential              = true
      user                   = var.nginx_user
      readonlyRootFilesystem = true
      portMappings           = [{ containerPort = var.gateway_port, protocol = "tcp" }]
      environment            = [for k in sort(keys(local.nginx_environment)) : { name = k, value = local.nginx_environment[k] }]
      secrets                = [{ name = "API_KEYS", valueFrom = var.api_keys_secret_arn }]
      mountPoints = [
        for v, m in local.scratch_volumes : { sourceVolume = v, containerPath = m.path, readOnly = false } if m.container == "nginx"
      ]
      # Never route traffic to a gateway whose upstream is not up yet.
      dependsOn   = [{ containerName = "app", condition = "HEALTHY" }]
      healthCheck = merge(local.health_check_timing, { command = local.nginx_health_check_command })
      stopTimeout = var.stop_timeout_seconds
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this["nginx"].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "nginx"
        }
      }
    },
  ], [for c in [local.collector_container] : c if local.collector_enabled]))

  dynamic "volume" {
    for_each = local.scratch_volumes

    content {
      name = volume.key
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = var.stop_timeout_seconds >= var.app_drain_seconds + var.app_shutdown_timeout_seconds + 5
      error_message = "stop_timeout_seconds must be >= app_drain_seconds + app_shutdown_timeout_seconds + 5, or ECS kills the app mid-shutdown."
    }
    # A request in flight when the app starts its shutdown may take drain + shutdown timeout:
    # nginx must wait longer than that, and ECS longer than nginx.
    precondition {
      condition     = var.app_drain_seconds + var.app_shutdown_timeout_seconds < var.gateway_proxy_read_timeout_seconds && var.gateway_proxy_read_timeout_seconds < var.stop_timeout_seconds
      error_message = "Timeouts must be ordered: app_drain_seconds + app_shutdown_timeout_seconds < gateway_proxy_read_timeout_seconds (nginx) < stop_timeout_seconds."
    }
    precondition {
      condition     = (var.prometheus_remote_write_url == null) == (var.prometheus_workspace_arn == null)
      error_message = "prometheus_remote_write_url and prometheus_workspace_arn go together: set both (from the prometheus unit) or neither."
    }
    # The app and nginx need room left in the task once the collector's share is taken.
    precondition {
      condition     = !local.collector_enabled || (var.prometheus_collector_resources.cpu <= var.task_size.cpu / 2 && var.prometheus_collector_resources.memory <= var.task_size.memory / 2)
      error_message = "prometheus_collector_resources must be at most half of task_size (cpu and memory): raise task_size or shrink the collector."
    }
  }
}

resource "aws_ecs_service" "this" {
  name             = var.name
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # Rolling deployments never drop below the current capacity; a deployment whose
  # tasks never become healthy is stopped and rolled back automatically.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
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
  # execution role's policy must exist before the first task starts (IAM is eventually
  # consistent: a task started first fails to pull its image or read its secret).
  depends_on = [aws_lb_listener.http, aws_lb_listener.https, aws_iam_role_policy.execution]
}

################################################################################
# Load balancer
################################################################################

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:No WAF in this project's scope (public demo API protected by API keys and nginx rate limiting); attach a web ACL at the environment level if needed.
  #checkov:skip=CKV2_AWS_20:The HTTP listener redirects to HTTPS whenever enable_https is set; without a certificate (local emulator, bootstrap) it must forward.
  #checkov:skip=CKV_AWS_91:Access logs are opt-in (alb_access_logs_enabled, on in the dev example) to the module's own bucket (access_logs.tf); off where nobody reads them.
  name                       = var.name
  internal                   = false # the public entry point: it lives in the public subnets on purpose
  load_balancer_type         = "application"
  security_groups            = [var.alb_security_group_id]
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection
  idle_timeout               = var.alb_idle_timeout_seconds

  dynamic "access_logs" {
    for_each = var.alb_access_logs_enabled ? [1] : []

    content {
      bucket  = aws_s3_bucket.access_logs[0].id
      prefix  = var.alb_access_logs_prefix
      enabled = true
    }
  }

  tags = merge(var.tags, { Name = var.name })

  # Enabling access logs makes ELB check (and write a test object) that it may write to the
  # bucket: the policy must exist first.
  depends_on = [aws_s3_bucket_policy.access_logs]

  lifecycle {
    # The side that closes an idle connection must be the ALB: were nginx first, the ALB could
    # reuse a connection nginx just closed and answer 502.
    precondition {
      condition     = var.alb_idle_timeout_seconds < var.gateway_keepalive_timeout_seconds
      error_message = "alb_idle_timeout_seconds must be below gateway_keepalive_timeout_seconds (nginx's keepalive_timeout)."
    }
  }
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the ALB; the ALB-to-nginx hop stays inside the VPC (private subnets, SG-restricted) and nginx holds no certificate.
  # Port, protocol and VPC changes replace the group. It must exist before the old one goes
  # (the listeners point at it): a fixed name would collide, so a prefix (at most 6
  # characters, the provider appends 26) and the Name tag say whose it is.
  name_prefix = substr(var.name, 0, 6)
  target_type = "ip"
  protocol    = "HTTP"
  port        = var.gateway_port
  vpc_id      = var.vpc_id

  # Matches the app's drain: ECS deregisters a task, waits this long, then sends SIGTERM.
  deregistration_delay = var.deregistration_delay_seconds

  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }

  tags = merge(var.tags, { Name = "${var.name}-gw" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Port 80 only redirects to HTTPS when enable_https is set; without a certificate (local emulator, first bootstrap) plain HTTP is the only option.
  #checkov:skip=CKV_AWS_103:Same listener: TLS policy applies to the HTTPS listener, which uses ssl_policy.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  dynamic "default_action" {
    for_each = local.https_enabled ? [1] : []

    content {
      type = "redirect"

      redirect {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }

  dynamic "default_action" {
    for_each = local.https_enabled ? [] : [1]

    content {
      type             = "forward"
      target_group_arn = aws_lb_target_group.this.arn
    }
  }

  lifecycle {
    precondition {
      condition     = !var.enable_https || var.certificate_arn != null
      error_message = "enable_https = true needs certificate_arn."
    }
    precondition {
      condition     = (var.domain_name == null) == (var.route53_zone_id == null)
      error_message = "domain_name and route53_zone_id go together: set both (the alias record lives in that zone) or neither."
    }
    # The certificate is what makes a domain worth having: without it clients would get
    # plain HTTP on a name that promises more.
    precondition {
      condition     = var.domain_name == null || var.enable_https
      error_message = "domain_name needs enable_https = true and a certificate_arn that covers it."
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https_enabled ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

################################################################################
# Autoscaling
################################################################################

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
      target = var.autoscaling_requests_per_target
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
