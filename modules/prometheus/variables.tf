variable "name" {
  description = "Alias of the workspace (e.g. sumapi-dev). Lowercase letters, digits and hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of [a-z0-9-], start with a letter and not end with a hyphen."
  }
}

variable "enabled" {
  description = "Create the Amazon Managed Service for Prometheus workspace. false = nothing is created and every output but enabled is null (compute then runs no collector)."
  type        = bool
  default     = true
}
