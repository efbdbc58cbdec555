variable "name" {
  description = "Name prefix of the repositories (e.g. sumapi-local): each is <name>/<container>."
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

variable "repositories" {
  description = "Containers of the task that get a repository: the app and its gateway (compute reads the URLs by these names)."
  type        = set(string)
  default     = ["app", "nginx"]

  validation {
    condition     = alltrue([for r in var.repositories : can(regex("^[a-z][a-z0-9-]{0,30}$", r))])
    error_message = "repositories must be lowercase names of [a-z0-9-]."
  }
}

variable "keep_images" {
  description = "Number of most recent images the lifecycle policy keeps in each repository (the rollback window; untagged images expire after 7 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_images >= 1 && var.keep_images <= 1000
    error_message = "keep_images must be between 1 and 1000."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key encrypting the repositories. null = KMS with the AWS managed aws/ecr key."
  type        = string
  default     = null
}
