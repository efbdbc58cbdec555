# The task definition: the app, nginx and optional collector containers, their settings and scratch volumes.

locals {
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
    SUMAPI_MAX_BODY_BYTES           = tostring(var.max_body_bytes)
    SUMAPI_VERSION                  = coalesce(var.app_version, var.image_tag)
    SUMAPI_COMMIT                   = coalesce(var.app_commit, var.image_tag)
    # One app process per vCPU of the task. Inside Fargate the process may see more CPUs than
    # the task has (the host's), so "auto" would start too many.
    SUMAPI_WORKERS = tostring(max(1, ceil(var.task_size.cpu / 1024)))
  })

  # nginx/render inputs: listen on the mapped port, proxy to the app over localhost, with the
  # timeouts the ALB and the app are checked against and the app's own body limit variable.
  nginx_environment = merge(
    var.nginx_environment,
    {
      LISTEN_PORT                = tostring(var.gateway_port)
      UPSTREAM                   = "127.0.0.1:${var.app_port}"
      KEEPALIVE_TIMEOUT_SECONDS  = tostring(var.gateway_keepalive_timeout_seconds)
      PROXY_READ_TIMEOUT_SECONDS = tostring(var.gateway_proxy_read_timeout_seconds)
      SUMAPI_MAX_BODY_BYTES      = local.app_environment.SUMAPI_MAX_BODY_BYTES
    },
    length(var.trusted_proxy_cidrs) > 0 ? { TRUSTED_PROXIES = join(",", var.trusted_proxy_cidrs) } : {},
  )

  # nginx/render's limit_req settings, from the one variable the waf unit reads too (through
  # the gateway_rate_limits output).
  gateway_rate_limit_environment = {
    SUM_RATE     = "${var.gateway_rate_limits.sum.per_second}r/s"
    SUM_BURST    = tostring(var.gateway_rate_limits.sum.burst)
    UNAUTH_RATE  = "${var.gateway_rate_limits.unauthenticated.per_second}r/s"
    UNAUTH_BURST = tostring(var.gateway_rate_limits.unauthenticated.burst)
  }

  health_check_timing = {
    interval    = 10
    timeout     = 5
    retries     = 3
    startPeriod = 15
  }

  # What each container has of its own, merged over the defaults of container_definitions
  # (null drops a default). The collector's part is in collector.tf.
  container_overrides = {
    app = {
      image       = local.app_image
      user        = var.app_user
      environment = local.app_environment
      # No portMappings: nginx reaches the app on 127.0.0.1 (shared awsvpc network namespace).
      healthCheck = merge(local.health_check_timing, { command = local.app_health_check_command })
    }
    nginx = {
      image        = local.nginx_image
      user         = var.nginx_user
      environment  = merge(local.nginx_environment, local.gateway_rate_limit_environment)
      portMappings = [{ containerPort = var.gateway_port, protocol = "tcp" }]
      secrets      = [{ name = "API_KEYS", valueFrom = var.api_keys_secret_arn }]
      # Never route traffic to a gateway whose upstream is not up yet.
      dependsOn   = [{ containerName = "app", condition = "HEALTHY" }]
      healthCheck = merge(local.health_check_timing, { command = local.nginx_health_check_command })
    }
    collector = local.collector_container
  }

  # One definition per container, in local.container_names' order. Every container runs
  # read-only and writes its own log group; environment maps become ECS's sorted name/value list.
  container_definitions = [
    for name in local.container_names : {
      for key, value in merge(
        {
          name                   = name
          essential              = true
          readonlyRootFilesystem = true
          mountPoints = [
            for v, m in local.scratch_volumes : { sourceVolume = v, containerPath = m.path, readOnly = false } if m.container == name
          ]
          stopTimeout = var.stop_timeout_seconds
          logConfiguration = {
            logDriver = "awslogs"
            options = {
              awslogs-group         = aws_cloudwatch_log_group.this[name].name
              awslogs-region        = data.aws_region.current.name
              awslogs-stream-prefix = name
            }
          }
        },
        local.container_overrides[name],
        {
          environment = [
            for k in sort(keys(local.container_overrides[name].environment)) : { name = k, value = local.container_overrides[name].environment[k] }
          ]
        },
      ) : key => value if value != null
    }
  ]
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.task_size.cpu)
  memory                   = tostring(var.task_size.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  container_definitions = jsonencode(local.container_definitions)

  # The images are built for linux/amd64 (devtools/build-images): Fargate must not place the
  # task on ARM (Graviton), where they would not start.
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

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
