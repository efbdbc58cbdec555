variable "name" {
  description = "Name prefix of every resource (e.g. sumapi-local). Lowercase letters, digits and hyphens."
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

# --- Wiring from compute ------------------------------------------------------

variable "alb_arn_suffix" {
  description = "ARN suffix of the ALB (compute.alb_arn_suffix), the LoadBalancer dimension."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the target group (compute.target_group_arn_suffix), the TargetGroup dimension."
  type        = string
}

variable "cluster_name" {
  description = "Name of the ECS cluster (compute.cluster_name)."
  type        = string
}

variable "service_name" {
  description = "Name of the ECS service (compute.service_name)."
  type        = string
}

variable "app_log_group_name" {
  description = "Name of the app container log group (compute.app_log_group_name); JSON records with a level key."
  type        = string
}

variable "nginx_log_group_name" {
  description = "Name of the nginx container log group (compute.nginx_log_group_name)."
  type        = string
}

# --- Notification -----------------------------------------------------------

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (the owner must confirm the subscription). null = no subscription."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be null or an e-mail address."
  }
}

variable "sns_kms_key_arn" {
  description = "KMS key (ARN, ID or alias) encrypting the alarm topic. Must be a customer managed key whose policy lets cloudwatch.amazonaws.com use it (AWS-managed alias/aws/sns does not), and budgets.amazonaws.com with a budget. null = unencrypted topic."
  type        = string
  default     = null
}

variable "prometheus_workspace_arn" {
  description = "ARN of the Amazon Managed Service for Prometheus workspace (prometheus.workspace_arn): this module gives it the alert manager definition that sends every alert to the topic, and lets it publish there (a topic policy; with sns_kms_key_arn the key policy must allow aps.amazonaws.com too). null = no alert manager definition (and, without a budget either, SNS's default topic policy)."
  type        = string
  default     = null

  validation {
    condition     = var.prometheus_workspace_arn == null || can(regex("^arn:aws[a-z-]*:aps:[a-z0-9-]+:[0-9]{12}:workspace/ws-[0-9a-zA-Z-]+$", var.prometheus_workspace_arn))
    error_message = "prometheus_workspace_arn must be null or arn:aws:aps:<region>:<account>:workspace/ws-<id> (the prometheus unit's workspace_arn output)."
  }
}

variable "budget" {
  description = "Monthly AWS Budget of the environment, in USD (docs/cost.md sizes it), alerting the topic when the actual spend passes each of actual_alert_percentages of the limit and when the month's forecast passes forecast_alert_percentage. cost_allocation_tag limits it to costs carrying that tag (e.g. Environment = dev; the tag must be activated as a cost allocation tag in the billing console), null = the whole account. With sns_kms_key_arn the key policy must allow budgets.amazonaws.com. null = no budget."
  type = object({
    limit_usd                 = number
    actual_alert_percentages  = optional(list(number), [80, 100])
    forecast_alert_percentage = optional(number, 100)
    cost_allocation_tag       = optional(object({ key = string, value = string }))
  })
  default = null

  validation {
    condition     = var.budget == null || try(var.budget.limit_usd > 0, false)
    error_message = "budget.limit_usd must be a positive amount of US dollars."
  }

  validation {
    condition     = var.budget == null || try(alltrue([for p in concat(var.budget.actual_alert_percentages, [var.budget.forecast_alert_percentage]) : p > 0 && p <= 1000]), false)
    error_message = "budget alert percentages must be in (0, 1000] (percent of the limit)."
  }

  validation {
    condition     = var.budget == null || try(length(distinct(var.budget.actual_alert_percentages)) == length(var.budget.actual_alert_percentages), false)
    error_message = "budget.actual_alert_percentages must not repeat a percentage (AWS keeps one notification per type and threshold)."
  }
}

# --- WAF (from the waf unit) ------------------------------------------------

variable "waf_web_acl_name" {
  description = "Name of the web ACL in front of the ALB (waf.web_acl_name): the WebACL dimension of the blocked-requests alarm and the dashboard's WAF widget. null = no WAF (no alarm, no widget)."
  type        = string
  default     = null
}

variable "waf_blocked_requests_threshold" {
  description = "Requests the web ACL blocks per period above which, for evaluation_periods periods, the waf-blocked-requests alarm fires."
  type        = number
  default     = 100

  validation {
    condition     = var.waf_blocked_requests_threshold >= 1
    error_message = "waf_blocked_requests_threshold must be at least 1."
  }
}

# --- Metrics and thresholds -------------------------------------------------

variable "metric_namespace" {
  description = "CloudWatch namespace of the metrics extracted from the logs (app errors, gateway 429s). null = \"SumAPI/<name>\"."
  type        = string
  default     = null
}

variable "nginx_429_filter_pattern" {
  description = "CloudWatch Logs filter pattern matching the nginx access-log lines with status 429 (the gateway logs JSON with a numeric status)."
  type        = string
  default     = "{ $.status = 429 }"
}

variable "period_seconds" {
  description = "Period of the alarm metrics (60 = one-minute resolution of ALB metrics)."
  type        = number
  default     = 60

  validation {
    condition     = contains([60, 300, 900, 3600], var.period_seconds)
    error_message = "period_seconds must be 60, 300, 900 or 3600."
  }
}

variable "evaluation_periods" {
  description = "Consecutive periods a condition must hold before the alarm fires (damps one-off spikes)."
  type        = number
  default     = 5

  validation {
    condition     = var.evaluation_periods >= 1 && var.evaluation_periods <= 60
    error_message = "evaluation_periods must be between 1 and 60."
  }
}

variable "error_rate_threshold_percent" {
  description = "5xx ratio (target + ELB 5xx over requests, percent) above which the error-rate alarm fires."
  type        = number
  default     = 5

  validation {
    condition     = var.error_rate_threshold_percent > 0 && var.error_rate_threshold_percent <= 100
    error_message = "error_rate_threshold_percent must be in (0, 100]."
  }
}

variable "error_rate_min_requests" {
  description = "Requests per period below which the 5xx ratio is not evaluated (two failures out of three requests is not an outage)."
  type        = number
  default     = 20

  validation {
    condition     = var.error_rate_min_requests >= 1
    error_message = "error_rate_min_requests must be at least 1 (it also guards the ratio against division by zero)."
  }
}

variable "latency_p99_threshold_seconds" {
  description = "p99 TargetResponseTime (seconds) above which the latency alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.latency_p99_threshold_seconds > 0 && var.latency_p99_threshold_seconds <= 60
    error_message = "latency_p99_threshold_seconds must be in (0, 60]."
  }
}

variable "app_error_logs_threshold" {
  description = "App ERROR log records per period at or above which the app-errors alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.app_error_logs_threshold >= 1
    error_message = "app_error_logs_threshold must be at least 1."
  }
}

variable "running_tasks_evaluation_periods" {
  description = "Consecutive periods running < desired must last before firing (deployments briefly run fewer tasks)."
  type        = number
  default     = 5

  validation {
    condition     = var.running_tasks_evaluation_periods >= 1 && var.running_tasks_evaluation_periods <= 60
    error_message = "running_tasks_evaluation_periods must be between 1 and 60."
  }
}
