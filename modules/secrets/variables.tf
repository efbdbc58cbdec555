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

variable "secret_name" {
  description = "Name of the Secrets Manager secret holding the API keys. null = \"<name>/api-keys\"."
  type        = string
  default     = null

  validation {
    condition     = var.secret_name == null || can(regex("^[A-Za-z0-9/_+=.@-]{1,512}$", var.secret_name))
    error_message = "secret_name must be 1-512 characters of letters, digits and /_+=.@-."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret stays recoverable: 0 (delete at once, for throw-away environments) or 7-30."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period (7-30 days) before a scheduled deletion of the KMS key takes effect."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_in_days >= 7 && var.kms_deletion_window_in_days <= 30
    error_message = "kms_deletion_window_in_days must be between 7 and 30."
  }
}

variable "kms_key_administrator_arns" {
  description = "IAM principals (ARNs) allowed to administer the key (not to use it). The account root is always trusted, so IAM policies of the account also apply."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.kms_key_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::", a))])
    error_message = "kms_key_administrator_arns must be IAM ARNs."
  }
}

variable "kms_key_user_arns" {
  description = "IAM principals (ARNs) allowed to encrypt/decrypt with the key through Secrets Manager (e.g. the role running the key tool). The ECS execution role gets its kms:Decrypt from its IAM policy (compute module)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.kms_key_user_arns : can(regex("^arn:aws[a-z-]*:iam::", a))])
    error_message = "kms_key_user_arns must be IAM ARNs."
  }
}

variable "kms_key_service_principals" {
  description = "Extra AWS service principals allowed to use the key in this account, e.g. logs.<region>.amazonaws.com to encrypt log groups or cloudwatch.amazonaws.com/sns for an encrypted alarm topic. Empty = none."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.kms_key_service_principals : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", p))])
    error_message = "kms_key_service_principals must be service principals such as logs.eu-west-1.amazonaws.com."
  }
}
