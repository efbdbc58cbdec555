variable "name" {
  description = "Name of the deploy role and prefix of its policies (e.g. sumapi-github-deploy)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be a valid IAM role name (1-64 of [A-Za-z0-9+=,.@_-])."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource (merged with a per-resource Name tag)."
  type        = map(string)
  default     = {}
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (only one per account may exist). false = use oidc_provider_arn."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing token.actions.githubusercontent.com OIDC provider, used when create_oidc_provider = false."
  type        = string
  default     = null
}

variable "oidc_thumbprints" {
  description = "Thumbprints of the GitHub OIDC endpoint's CA (AWS no longer checks them for GitHub, the API still requires one)."
  type        = list(string)
  default     = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

variable "github_repository" {
  description = "The only repository (owner/name) whose workflows may assume the role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_branches" {
  description = "Branches whose workflow runs may assume the role (sub repo:<repo>:ref:refs/heads/<branch>)."
  type        = list(string)
  default     = ["main"]
}

variable "github_environments" {
  description = "GitHub environments whose jobs may assume the role (sub repo:<repo>:environment:<env>). Use environments with required reviewers for production."
  type        = list(string)
  default     = []
}

variable "ecr_repository_arns" {
  description = "ECR repositories CI may push to (registry.repository_arns)."
  type        = list(string)
  default     = []
}

variable "ecs_cluster_name" {
  description = "ECS cluster whose services CI may update (compute.cluster_name). null = no ECS deploy rights."
  type        = string
  default     = null
}

variable "ecs_execution_role_arns" {
  description = "Task execution/task roles CI may pass to ECS when registering a task definition revision."
  type        = list(string)
  default     = []
}

variable "state_bucket_name" {
  description = "S3 bucket of the Terraform state (Terragrunt remote_state). null = no state access."
  type        = string
  default     = null
}

variable "lock_table_name" {
  description = "DynamoDB lock table of the Terraform state. null = no lock table access."
  type        = string
  default     = null
}

variable "apply_policy_arns" {
  description = "Managed policies attached for `terragrunt apply`, by a short static name (map keys must be known at plan time even when a policy is created in the same apply). Creating VPC/ECS/IAM/KMS... needs broad rights; prefer a scoped list, e.g. AmazonVPCFullAccess, AmazonECS_FullAccess, ElasticLoadBalancingFullAccess, CloudWatchFullAccess, plus an IAM policy limited to the module's role names. Empty = CI can push and deploy images but not apply infrastructure."
  type        = map(string)
  default     = {}
}

variable "max_session_duration" {
  description = "Maximum session duration of the role, in seconds (3600-43200)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200."
  }
}
