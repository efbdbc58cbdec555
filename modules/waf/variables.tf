variable "name" {
  description = "Name prefix of every resource (e.g. sumapi-dev): the web ACL, its metrics and the log group aws-waf-logs-<name>. Lowercase letters, digits and hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of [a-z0-9-], start with a letter and not end with a hyphen."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource (merged with a per-resource Name tag)."
  type        = map(string)
  default     = {}
}

variable "enabled" {
  description = "Create the web ACL and associate it with the ALB. false = nothing is created, the ALB answers every request as before, and every output but enabled is null (observability then has no WAF alarm)."
  type        = bool
  default     = true
}

# --- Wiring from compute ------------------------------------------------------

variable "alb_arn" {
  description = "ARN of the application load balancer the web ACL protects (compute.alb_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/app/", var.alb_arn))
    error_message = "alb_arn must be an application load balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/...)."
  }
}

variable "gateway_rate_limits" {
  description = "The rate limits each task's nginx enforces on its own (compute.gateway_rate_limits): per API client on POST /api/v1/sum (sum) and per client IP on unauthenticated requests (unauthenticated), requests per second and burst. The rate-based rules hold, across all tasks, what one task allows per evaluation window (README of this module)."
  type = object({
    sum             = object({ per_second = number, burst = number })
    unauthenticated = object({ per_second = number, burst = number })
  })

  validation {
    condition = alltrue([
      for limit in [var.gateway_rate_limits.sum, var.gateway_rate_limits.unauthenticated] :
      limit.per_second >= 1 && floor(limit.per_second) == limit.per_second && limit.burst >= 0 && floor(limit.burst) == limit.burst
    ])
    error_message = "gateway_rate_limits: per_second must be a whole number >= 1 and burst a whole number >= 0 (nginx's Nr/s and burst=N)."
  }
}

# --- Rules --------------------------------------------------------------------

variable "rate_limit_window_seconds" {
  description = "Evaluation window of the rate-based rules: WAF counts each key's requests over the last 60, 120, 300 or 600 seconds. The limits grow with it (limit = what one task allows in the window), so a shorter window holds bursts closer to nginx's per-second limits."
  type        = number
  default     = 60

  validation {
    condition     = contains([60, 120, 300, 600], var.rate_limit_window_seconds)
    error_message = "rate_limit_window_seconds must be 60, 120, 300 or 600 (the windows WAF offers)."
  }
}

variable "api_key_header" {
  description = "Header carrying the API key, as the gateway reads it (nginx: $http_x_api_key). The per-key rate-based rule aggregates on its value; the WAF logs redact it."
  type        = string
  default     = "x-api-key"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,64}$", var.api_key_header))
    error_message = "api_key_header must be a lower-case header name of [a-z0-9-] (WAF matches header names case-insensitively)."
  }
}

variable "health_check_paths" {
  description = "Paths of the health endpoints (GET and HEAD): allowed before the managed rule groups, so no content or reputation rule can fail a probe through the ALB (the deploy's smoke test, uptime checks). The rate-based rules still count them."
  type        = list(string)
  default     = ["/healthz", "/readyz"]

  validation {
    condition     = length(var.health_check_paths) >= 1 && alltrue([for p in var.health_check_paths : can(regex("^/[A-Za-z0-9/_-]*$", p))])
    error_message = "health_check_paths must list at least one absolute path of [A-Za-z0-9/_-] (they are matched exactly)."
  }
}

# --- Logs ---------------------------------------------------------------------

variable "log_retention_days" {
  description = "Retention of the WAF log group aws-waf-logs-<name>, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of a KMS key encrypting the WAF log group (its key policy must allow logs.<region>.amazonaws.com). null = CloudWatch Logs default encryption."
  type        = string
  default     = null
}

variable "log_all_requests" {
  description = "Log every request WAF inspects. false (default) keeps only the requests a rule blocked or counted: the ALB's access logs already record every request, and WAF logs are billed per GB."
  type        = bool
  default     = false
}
