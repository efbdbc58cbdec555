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

variable "promote_images_from" {
  description = "The environment whose images this one runs instead of building its own (prod: dev's): its account, region and registry name. Its repositories <name>/<container> hold the images `make push-images` copies here by digest. null = this environment builds and pushes its own."
  type = object({
    account_id = string
    region     = string
    name       = string
  })
  default = null

  validation {
    condition = var.promote_images_from == null || (
      can(regex("^[0-9]{12}$", var.promote_images_from.account_id)) &&
      can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.promote_images_from.region)) &&
      can(regex("^[a-z][a-z0-9-]{1,26}[a-z0-9]$", var.promote_images_from.name))
    )
    error_message = "promote_images_from needs account_id (12 digits), region (e.g. eu-west-1) and name (the source environment's registry name, e.g. sumapi-dev)."
  }
}

variable "pull_principal_arns" {
  description = "IAM roles of other environments that may pull this environment's images (dev's repositories: prod's push role, which promotes them). A repository policy is set only when the list is not empty; CI's apply role may not set one, so an operator applies this unit after changing it."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.pull_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", a))])
    error_message = "pull_principal_arns must be IAM role ARNs (arn:aws:iam::<account>:role/<name>)."
  }
}
