variable "name" {
  description = "Name prefix of every resource (e.g. sumapi-local). Lowercase letters, digits and hyphens; at most 28 characters so ALB/target group names (32 max) fit."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,26}[a-z0-9]$", var.name))
    error_message = "name must be 3-28 characters of [a-z0-9-], start with a letter and not end with a hyphen."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource (merged with a per-resource Name tag)."
  type        = map(string)
  default     = {}
}

# --- Wiring from networking and secrets -------------------------------------

variable "vpc_id" {
  description = "ID of the VPC (networking.vpc_id)."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the ALB, at least two AZs (networking.public_subnet_ids)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids must list at least two subnets (an ALB needs two AZs)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets of the Fargate tasks (networking.private_subnet_ids)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 1
    error_message = "private_subnet_ids must list at least one subnet."
  }
}

variable "alb_security_group_id" {
  description = "Security group of the ALB (networking.alb_security_group_id)."
  type        = string
}

variable "tasks_security_group_id" {
  description = "Security group of the tasks (networking.tasks_security_group_id)."
  type        = string
}

variable "api_keys_secret_arn" {
  description = "ARN of the Secrets Manager secret whose value nginx receives as API_KEYS (secrets.secret_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:", var.api_keys_secret_arn))
    error_message = "api_keys_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "api_keys_kms_key_arn" {
  description = "ARN of the KMS key encrypting that secret (secrets.kms_key_arn); the execution role may kms:Decrypt with it only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.api_keys_kms_key_arn))
    error_message = "api_keys_kms_key_arn must be a KMS key ARN."
  }
}

# --- Images -----------------------------------------------------------------

variable "image_tag" {
  description = "Tag of both images in the module's ECR repositories (tags are immutable: use a version or commit SHA, never latest)."
  type        = string
  default     = "1.0.0"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid Docker tag (1-128 of [A-Za-z0-9_.-]) and not \"latest\" (the repositories are IMMUTABLE)."
  }
}

variable "app_image" {
  description = "Full image reference of the app container. null = <app ECR repository URL>:<image_tag>."
  type        = string
  default     = null
}

variable "nginx_image" {
  description = "Full image reference of the nginx gateway container. null = <nginx ECR repository URL>:<image_tag>."
  type        = string
  default     = null
}

variable "repository_urls" {
  description = "Image repository URL by container (registry.repository_urls): app and nginx images are <url>:<image_tag>."
  type        = map(string)

  validation {
    condition     = alltrue([for c in ["app", "nginx"] : contains(keys(var.repository_urls), c)])
    error_message = "repository_urls needs the app and nginx repositories (the registry unit's repository_urls)."
  }
}

variable "repository_arns" {
  description = "Image repository ARN by container (registry.repository_arns): the execution role may pull from these only."
  type        = map(string)

  validation {
    condition     = alltrue([for arn in values(var.repository_arns) : can(regex("^arn:aws[a-z-]*:ecr:", arn))])
    error_message = "repository_arns must be ECR repository ARNs."
  }
}

# --- Task -------------------------------------------------------------------

variable "task_size" {
  description = "Fargate task size: cpu units and memory MiB, a combination Fargate accepts (256/512-2048, 512/1024-4096, 1024/2048-8192, 2048/4096-16384, 4096/8192-30720)."
  type = object({
    cpu    = number
    memory = number
  })
  default = {
    cpu    = 256
    memory = 512
  }

  validation {
    condition = (
      (var.task_size.cpu == 256 && contains([512, 1024, 2048], var.task_size.memory)) ||
      (var.task_size.cpu == 512 && var.task_size.memory >= 1024 && var.task_size.memory <= 4096 && var.task_size.memory % 1024 == 0) ||
      (var.task_size.cpu == 1024 && var.task_size.memory >= 2048 && var.task_size.memory <= 8192 && var.task_size.memory % 1024 == 0) ||
      (var.task_size.cpu == 2048 && var.task_size.memory >= 4096 && var.task_size.memory <= 16384 && var.task_size.memory % 1024 == 0) ||
      (var.task_size.cpu == 4096 && var.task_size.memory >= 8192 && var.task_size.memory <= 30720 && var.task_size.memory % 1024 == 0)
    )
    error_message = "task_size is not a Fargate cpu/memory combination: 256 -> 512|1024|2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (memory in 1024 steps)."
  }
}

variable "gateway_port" {
  description = "Port nginx listens on inside the task: the only port mapping, the target group port (same value as networking.gateway_port)."
  type        = number
  default     = 8080

  validation {
    condition     = var.gateway_port >= 1024 && var.gateway_port <= 65535 && floor(var.gateway_port) == var.gateway_port
    error_message = "gateway_port must be an unprivileged port (1024-65535): nginx runs as non-root."
  }
}

variable "app_port" {
  description = "Port the app listens on at 127.0.0.1 (SUMAPI_PORT); nginx reaches it over localhost (awsvpc), it is not mapped."
  type        = number
  default     = 8000

  validation {
    condition     = var.app_port >= 1024 && var.app_port <= 65535 && floor(var.app_port) == var.app_port
    error_message = "app_port must be an unprivileged port (1024-65535)."
  }
}

variable "app_log_level" {
  description = "SUMAPI_LOG_LEVEL of the app."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.app_log_level)
    error_message = "app_log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "app_version" {
  description = "SUMAPI_VERSION build label reported by the app (sumapi_build_info). null = image_tag."
  type        = string
  default     = null
}

variable "app_commit" {
  description = "SUMAPI_COMMIT build label reported by the app (sumapi_build_info). null = image_tag (the pipeline tags images with the commit SHA)."
  type        = string
  default     = null
}

variable "app_drain_seconds" {
  description = "SUMAPI_DRAIN_SECONDS: how long the app keeps serving after SIGTERM while /readyz answers 503."
  type        = number
  default     = 5

  validation {
    condition     = var.app_drain_seconds >= 0 && var.app_drain_seconds <= 60
    error_message = "app_drain_seconds must be between 0 and 60."
  }
}

variable "app_shutdown_timeout_seconds" {
  description = "SUMAPI_SHUTDOWN_TIMEOUT_SECONDS: how long the app waits for in-flight requests after it stops accepting."
  type        = number
  default     = 15

  validation {
    condition     = var.app_shutdown_timeout_seconds >= 1 && var.app_shutdown_timeout_seconds <= 60
    error_message = "app_shutdown_timeout_seconds must be between 1 and 60."
  }
}

variable "max_body_bytes" {
  description = "Largest request body in bytes: SUMAPI_MAX_BODY_BYTES of both the app and the nginx container, so the gateway refuses a larger body (413) with the app's limit."
  type        = number
  default     = 16384

  validation {
    condition     = var.max_body_bytes >= 64 && var.max_body_bytes <= 1048576 && floor(var.max_body_bytes) == var.max_body_bytes
    error_message = "max_body_bytes must be a whole number from 64 to 1048576 (the app's and the gateway's bounds)."
  }
}

variable "stop_timeout_seconds" {
  description = "ECS stopTimeout of the app and nginx containers (the collector keeps ECS's default): time between SIGTERM and SIGKILL. Must be >= app_drain_seconds + app_shutdown_timeout_seconds + 5 (checked)."
  type        = number
  default     = 30

  validation {
    condition     = var.stop_timeout_seconds >= 2 && var.stop_timeout_seconds <= 120
    error_message = "stop_timeout_seconds must be between 2 and 120 (Fargate maximum)."
  }
}

variable "app_user" {
  description = "User (uid[:gid]) the app container runs as; must not be root."
  type        = string
  default     = "10001:10001"

  validation {
    condition     = can(regex("^[0-9]+(:[0-9]+)?$", var.app_user)) && !can(regex("^0(:|$)", var.app_user))
    error_message = "app_user must be a numeric uid[:gid] other than 0 (root)."
  }
}

variable "nginx_user" {
  description = "User (uid[:gid]) the nginx container runs as; must not be root (101 = nginx in the official images)."
  type        = string
  default     = "101:101"

  validation {
    condition     = can(regex("^[0-9]+(:[0-9]+)?$", var.nginx_user)) && !can(regex("^0(:|$)", var.nginx_user))
    error_message = "nginx_user must be a numeric uid[:gid] other than 0 (root)."
  }
}

variable "app_writable_paths" {
  description = "Paths inside the app container backed by task-local scratch volumes (the root filesystem is read-only)."
  type        = list(string)
  default     = ["/tmp"]
}

variable "nginx_writable_paths" {
  description = "Paths inside the nginx container backed by task-local scratch volumes (the root filesystem is read-only; nginx/gateway renders its config and keeps pid and temp files under GATEWAY_RUN_DIR=/tmp/gateway)."
  type        = list(string)
  default     = ["/tmp"]
}

variable "trusted_proxy_cidrs" {
  description = "CIDRs whose X-Forwarded-For nginx trusts (TRUSTED_PROXIES): the ALB's subnets, i.e. the VPC CIDR. Empty = the gateway's own default (10.0.0.0/16)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.trusted_proxy_cidrs : can(cidrhost(c, 0))])
    error_message = "trusted_proxy_cidrs must be valid CIDRs."
  }
}

variable "app_health_check_command" {
  description = "Container health check of the app (ECS healthCheck.command). null = python's urllib GETs /healthz on app_port (needs only python in the image)."
  type        = list(string)
  default     = null
}

variable "nginx_health_check_command" {
  description = "Container health check of nginx (ECS healthCheck.command). null = wget GETs /healthz on gateway_port (needs wget in the image)."
  type        = list(string)
  default     = null
}

variable "app_environment" {
  description = "Extra environment variables of the app container; the module's own (SUMAPI_HOST, _PORT, _DRAIN_SECONDS, _SHUTDOWN_TIMEOUT_SECONDS, _LOG_LEVEL, _MAX_BODY_BYTES, _VERSION, _COMMIT, _WORKERS) win over them."
  type        = map(string)
  default     = {}
}

variable "nginx_environment" {
  description = "Extra environment variables of the nginx container, e.g. SUM_RATE/SUM_BURST (nginx/README.md). API_KEYS comes from the secret; the module's own (LISTEN_PORT, UPSTREAM, TRUSTED_PROXIES, KEEPALIVE_TIMEOUT_SECONDS, PROXY_READ_TIMEOUT_SECONDS, SUMAPI_MAX_BODY_BYTES) win over them."
  type        = map(string)
  default     = {}
}

variable "gateway_rate_limits" {
  description = "The gateway's rate limits, which each task's nginx enforces on its own (nginx/README.md): per API client on POST /api/v1/sum (sum: SUM_RATE, SUM_BURST) and per client IP on unauthenticated requests (unauthenticated: UNAUTH_RATE, UNAUTH_BURST), whole requests per second and the burst accepted at once. They win over nginx_environment; the waf unit derives its global rate-based rules from the output of the same name."
  type = object({
    sum             = object({ per_second = number, burst = number })
    unauthenticated = object({ per_second = number, burst = number })
  })
  default = {
    sum             = { per_second = 5, burst = 10 }
    unauthenticated = { per_second = 2, burst = 10 }
  }

  validation {
    condition = alltrue([
      for limit in [var.gateway_rate_limits.sum, var.gateway_rate_limits.unauthenticated] :
      limit.per_second >= 1 && limit.per_second <= 1000000 && floor(limit.per_second) == limit.per_second && limit.burst >= 0 && limit.burst <= 9999999 && floor(limit.burst) == limit.burst
    ])
    error_message = "gateway_rate_limits: per_second must be a whole number from 1 to 1000000 and burst a whole number from 0 to 9999999 (nginx/render's Nr/s and burst)."
  }
}

variable "log_retention_days" {
  description = "Retention of the container log groups, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of a KMS key encrypting the container log groups (its key policy must allow logs.<region>.amazonaws.com). null = CloudWatch Logs default encryption."
  type        = string
  default     = null
}

# --- Service and scaling ----------------------------------------------------

variable "desired_count" {
  description = "Initial number of tasks. Afterwards autoscaling owns it (ignore_changes)."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= 1
    error_message = "desired_count must be at least 1."
  }
}

variable "autoscaling_min_capacity" {
  description = "Minimum number of tasks autoscaling keeps (>= 2 keeps one per AZ)."
  type        = number
  default     = 2

  validation {
    condition     = var.autoscaling_min_capacity >= 1
    error_message = "autoscaling_min_capacity must be at least 1."
  }
}

variable "autoscaling_max_capacity" {
  description = "Maximum number of tasks autoscaling may run."
  type        = number
  default     = 6

  validation {
    condition     = var.autoscaling_max_capacity >= 1 && var.autoscaling_max_capacity <= 100
    error_message = "autoscaling_max_capacity must be between 1 and 100."
  }
}

variable "autoscaling_cpu_target" {
  description = "Target average ECS service CPU utilisation (percent) of the CPU target-tracking policy."
  type        = number
  default     = 60

  validation {
    condition     = var.autoscaling_cpu_target >= 10 && var.autoscaling_cpu_target <= 90
    error_message = "autoscaling_cpu_target must be between 10 and 90 percent."
  }
}

variable "autoscaling_measured_rps_per_task" {
  description = "Requests per second one task serves with no error and p99 under the latency SLO, by task_size.cpu (a string key): the capacity table of docs/capacity.md, measured by `make capacity` with each task size's limits. The request-count policy's target is floor(this * autoscaling_headroom * 60) requests per target per minute; task_size.cpu must have an entry (checked): a size nobody measured has no target."
  type        = map(number)
  default = {
    "256"  = 2338
    "512"  = 2816
    "1024" = 2816
    "2048" = 3015
  }

  validation {
    condition     = length(var.autoscaling_measured_rps_per_task) > 0 && alltrue([for cpu, rps in var.autoscaling_measured_rps_per_task : can(regex("^[0-9]+$", cpu)) && rps > 0])
    error_message = "autoscaling_measured_rps_per_task maps task cpu units (\"256\") to a positive rate (requests per second, from docs/capacity.md)."
  }
}

variable "autoscaling_headroom" {
  description = "Share of a task's measured capacity the request-count policy holds each task at (0-1]: the rest absorbs traffic that grows while new tasks start (a minute or two) and what the measurement did not see (other request mixes, a busier host)."
  type        = number
  default     = 0.6

  validation {
    condition     = var.autoscaling_headroom > 0 && var.autoscaling_headroom <= 1
    error_message = "autoscaling_headroom must be in (0, 1]: a share of the measured capacity."
  }
}

variable "health_check_grace_period_seconds" {
  description = "Seconds ECS ignores failing ALB health checks of a new task (container start + app readiness)."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 2147483647
    error_message = "health_check_grace_period_seconds must be non-negative."
  }
}

variable "deployment_rollback_error_rate_percent" {
  description = "5xx ratio (target + ALB 5xx over requests, percent, 3 one-minute periods) above which a running deployment is rolled back (the <name>-deploy-5xx-ratio alarm)."
  type        = number
  default     = 5

  validation {
    condition     = var.deployment_rollback_error_rate_percent > 0 && var.deployment_rollback_error_rate_percent <= 100
    error_message = "deployment_rollback_error_rate_percent must be in (0, 100]."
  }
}

variable "deployment_rollback_min_requests" {
  description = "Requests per minute below which the deployment's 5xx ratio is not evaluated (one failure out of three requests rolls nothing back)."
  type        = number
  default     = 20

  validation {
    condition     = var.deployment_rollback_min_requests >= 1
    error_message = "deployment_rollback_min_requests must be at least 1 (it also guards the ratio against division by zero)."
  }
}

variable "container_insights" {
  description = "Enable CloudWatch Container Insights on the cluster (observability's running < desired alarm needs it); its performance log group is the module's, with log_retention_days."
  type        = bool
  default     = true
}

# --- Load balancer ----------------------------------------------------------

variable "deregistration_delay_seconds" {
  description = "Target group deregistration delay: ECS waits this long after deregistering a task before SIGTERM. Keep >= app drain (contract: 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay_seconds >= 0 && var.deregistration_delay_seconds <= 3600
    error_message = "deregistration_delay_seconds must be between 0 and 3600."
  }
}

variable "health_check_path" {
  description = "Path of the target group health check, served through nginx on the gateway port."
  type        = string
  default     = "/readyz"

  validation {
    condition     = can(regex("^/[A-Za-z0-9/._-]*$", var.health_check_path))
    error_message = "health_check_path must be an absolute URL path."
  }
}

variable "enable_https" {
  description = "true: HTTPS listener on 443 with certificate_arn and HTTP -> HTTPS redirect. false: the HTTP listener forwards (local/emulator only). A flag of its own so that the listener count is known at plan time even when the certificate is created in the same apply."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  description = "ACM certificate ARN of the HTTPS listener; required when enable_https = true."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be null or an ACM certificate ARN."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener: a TLS 1.3 policy whose minimum is TLS 1.2 (ELBSecurityPolicy-TLS13-1-2-*) or 1.3 (ELBSecurityPolicy-TLS13-1-3-*)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$", var.ssl_policy))
    error_message = "ssl_policy must be a TLS 1.3 policy with TLS 1.2 or 1.3 as minimum (ELBSecurityPolicy-TLS13-1-2-* or -1-3-*), e.g. ELBSecurityPolicy-TLS13-1-2-2021-06."
  }
}

variable "domain_name" {
  description = "DNS name clients use (e.g. api.example.com): an alias A record to the ALB in route53_zone_id, and the name certificate_arn must cover. Needs enable_https and route53_zone_id (checked). null = no record: clients use the ALB's own name, which no certificate of yours covers."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || (can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.domain_name)) && length(coalesce(var.domain_name, "-")) <= 253)
    error_message = "domain_name must be a lower-case DNS name without trailing dot, e.g. api.example.com."
  }
}

variable "route53_zone_id" {
  description = "ID of the public Route 53 hosted zone that holds domain_name; set together with domain_name (checked)."
  type        = string
  default     = null

  validation {
    condition     = var.route53_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.route53_zone_id))
    error_message = "route53_zone_id must be a Route 53 hosted zone ID (Z followed by upper-case letters and digits)."
  }
}

variable "alb_deletion_protection" {
  description = "Protect the ALB from deletion. A protected ALB makes destroy fail: lift it first (set false and apply, or `make destroy UNPROTECT=1`, docs/runbook.md). false in throw-away environments."
  type        = bool
  default     = true
}

variable "gateway_keepalive_timeout_seconds" {
  description = "KEEPALIVE_TIMEOUT_SECONDS of the nginx container: its client keep-alive timeout. Must exceed alb_idle_timeout_seconds (checked), so the ALB, not nginx, closes an idle connection."
  type        = number
  default     = 65

  validation {
    condition     = var.gateway_keepalive_timeout_seconds >= 1 && var.gateway_keepalive_timeout_seconds <= 86400 && floor(var.gateway_keepalive_timeout_seconds) == var.gateway_keepalive_timeout_seconds
    error_message = "gateway_keepalive_timeout_seconds must be a whole number of seconds from 1 to 86400."
  }
}

variable "gateway_proxy_read_timeout_seconds" {
  description = "PROXY_READ_TIMEOUT_SECONDS of the nginx container: how long it waits for the app's answer. Must exceed app_drain_seconds + app_shutdown_timeout_seconds and stay below stop_timeout_seconds (checked)."
  type        = number
  default     = 25

  validation {
    condition     = var.gateway_proxy_read_timeout_seconds >= 1 && var.gateway_proxy_read_timeout_seconds <= 86400 && floor(var.gateway_proxy_read_timeout_seconds) == var.gateway_proxy_read_timeout_seconds
    error_message = "gateway_proxy_read_timeout_seconds must be a whole number of seconds from 1 to 86400."
  }
}

variable "alb_idle_timeout_seconds" {
  description = "ALB idle connection timeout."
  type        = number
  default     = 60

  validation {
    condition     = var.alb_idle_timeout_seconds >= 1 && var.alb_idle_timeout_seconds <= 4000
    error_message = "alb_idle_timeout_seconds must be between 1 and 4000."
  }
}

variable "alb_access_logs_enabled" {
  description = "Write ALB access logs to an S3 bucket this module creates (<name>-alb-logs-<account>): SSE-S3, public access blocked, TLS-only policy granting only ELB log delivery, expiry after alb_access_logs_expiration_days."
  type        = bool
  default     = false
}

variable "alb_access_logs_prefix" {
  description = "Key prefix of the access logs in the bucket (ELB appends /AWSLogs/<account>/...); empty = none."
  type        = string
  default     = "alb"

  validation {
    condition     = can(regex("^([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$", var.alb_access_logs_prefix)) && !strcontains(var.alb_access_logs_prefix, "AWSLogs")
    error_message = "alb_access_logs_prefix must be empty or path segments of [A-Za-z0-9_.-] without leading/trailing slash, and must not contain AWSLogs (ELB adds it)."
  }
}

variable "alb_access_logs_expiration_days" {
  description = "Days after which the lifecycle rule deletes an access log object."
  type        = number
  default     = 90

  validation {
    condition     = var.alb_access_logs_expiration_days >= 1 && var.alb_access_logs_expiration_days <= 3650 && floor(var.alb_access_logs_expiration_days) == var.alb_access_logs_expiration_days
    error_message = "alb_access_logs_expiration_days must be a whole number of days between 1 and 3650."
  }
}

variable "alb_access_logs_force_destroy" {
  description = "Let destroy delete the access-log bucket with the logs in it. false (default): a destroy stops at a non-empty bucket, so logs outlive the ALB unless someone decides otherwise (`make destroy UNPROTECT=1` sets it for the final destroy)."
  type        = bool
  default     = false
}

# --- Prometheus collector (optional) ----------------------------------------

variable "prometheus_remote_write_url" {
  description = "Remote-write URL of an Amazon Managed Service for Prometheus workspace (prometheus.remote_write_url). Set with prometheus_workspace_arn: the task gets an ADOT collector sidecar scraping the app's /metrics and the task role aps:RemoteWrite on that workspace. null = no collector, the task definition is unchanged."
  type        = string
  default     = null

  validation {
    condition     = var.prometheus_remote_write_url == null || can(regex("^https://aps-workspaces\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/workspaces/ws-[0-9a-zA-Z-]+/api/v1/remote_write$", var.prometheus_remote_write_url))
    error_message = "prometheus_remote_write_url must be null or https://aps-workspaces.<region>.amazonaws.com/workspaces/ws-<id>/api/v1/remote_write (the prometheus unit's remote_write_url output)."
  }
}

variable "prometheus_workspace_arn" {
  description = "ARN of the workspace prometheus_remote_write_url belongs to (prometheus.workspace_arn): the only resource of the task role's aps:RemoteWrite. Set both or neither."
  type        = string
  default     = null

  validation {
    condition     = var.prometheus_workspace_arn == null || can(regex("^arn:aws[a-z-]*:aps:[a-z0-9-]+:[0-9]{12}:workspace/ws-[0-9a-zA-Z-]+$", var.prometheus_workspace_arn))
    error_message = "prometheus_workspace_arn must be null or arn:aws:aps:<region>:<account>:workspace/ws-<id> (the prometheus unit's workspace_arn output)."
  }
}

variable "prometheus_collector_image" {
  description = "Image of the collector sidecar (AWS Distro for OpenTelemetry), pinned to a version tag: the collector config in the task definition is written for it."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0"

  validation {
    condition     = can(regex(":v?[0-9]+\\.[0-9]+\\.[0-9]+$|@sha256:[0-9a-f]{64}$", var.prometheus_collector_image))
    error_message = "prometheus_collector_image must be pinned to a version tag (:v0.40.0) or a digest (@sha256:...), never :latest."
  }
}

variable "prometheus_collector_resources" {
  description = "CPU units and hard memory limit (MiB) of the collector container, carved out of task_size: a collector that outgrows its memory is killed without touching the app (not essential; it stays down until the task is replaced)."
  type = object({
    cpu    = number
    memory = number
  })
  default = {
    cpu    = 64
    memory = 128
  }

  validation {
    condition     = var.prometheus_collector_resources.cpu >= 0 && var.prometheus_collector_resources.memory >= 64
    error_message = "prometheus_collector_resources needs cpu >= 0 and memory >= 64 (MiB): the collector does not start with less."
  }
}

variable "prometheus_scrape_interval_seconds" {
  description = "How often the collector scrapes the app's /metrics. AMP bills per sample ingested: halving the interval doubles that line of docs/cost.md."
  type        = number
  default     = 30

  validation {
    condition     = var.prometheus_scrape_interval_seconds >= 10 && var.prometheus_scrape_interval_seconds <= 300 && floor(var.prometheus_scrape_interval_seconds) == var.prometheus_scrape_interval_seconds
    error_message = "prometheus_scrape_interval_seconds must be a whole number of seconds between 10 and 300."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the roles this module creates (the github-oidc unit's <name>-workload-boundary: the pipeline's apply role may create roles only inside it). null = none."
  type        = string
  default     = null
}
