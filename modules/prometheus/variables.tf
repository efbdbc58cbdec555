variable "name" {
  description = "Alias of the workspace (e.g. sumapi-dev). Lowercase letters, digits and hyphens."
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
  description = "Create the Amazon Managed Service for Prometheus workspace. false = nothing is created and every output but enabled is null (compute then runs no collector)."
  type        = bool
  default     = true
}

variable "rule_groups" {
  description = "Prometheus rules files by rule groups namespace name (the file's contents, YAML with a top-level groups key): each becomes one namespace of the workspace. live/_envcommon/prometheus.hcl passes monitoring/rules/<name>.rules.yml as <name>."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.rule_groups) : can(regex("^[0-9A-Za-z][-.0-9A-Za-z_]{0,63}$", name))])
    error_message = "rule_groups keys must be AMP namespace names: 1-64 of [-.0-9A-Za-z_], starting with a letter or digit."
  }

  validation {
    condition     = alltrue([for rules in values(var.rule_groups) : can(yamldecode(rules).groups)])
    error_message = "rule_groups values must be Prometheus rules files: YAML with a top-level groups key."
  }
}
