variable "name" {
  description = "Name of the apply role and prefix of the others (<name>-push, <name>-plan) and of the boundary policy (<name>-boundary), e.g. sumapi-dev-github-deploy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,59}$", var.name))
    error_message = "name must be 1-59 of [A-Za-z0-9+=,.@_-] (an IAM role name, with room for the -push and -plan suffixes)."
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

# Kept only to refuse an old env.hcl that still sets it, with the fix in one line.
# tflint-ignore: terraform_unused_declarations
variable "github_branches" {
  description = "Removed: the roles trust GitHub environments only (see github_environments). Must stay empty."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.github_branches) == 0
    error_message = "github_branches is no longer supported: list the deploy job's GitHub environment in github_environments and restrict that environment to main on GitHub (Settings -> Environments -> Deployment branches)."
  }
}

variable "github_environments" {
  description = "GitHub environments whose jobs may assume the apply role (sub repo:<repo>:environment:<env>): the deploy workflow's repositories and deploy jobs, e.g. dev. Restrict each to main and give production required reviewers on GitHub: the OIDC sub of an environment job does not carry the branch. Shares no environment with push_github_environments or plan_github_environments."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.github_environments : can(regex("^[A-Za-z0-9_.-]{1,255}$", e))])
    error_message = "github_environments: each must be a GitHub environment name ([A-Za-z0-9_.-], no wildcards)."
  }
}

# Required, not derived from github_environments: the three sets of trusted environments are
# read side by side in the caller, which is where a reviewer checks that none overlaps.
variable "push_github_environments" {
  description = "GitHub environments whose jobs may assume the push role, and no other role: the deploy workflow's images job, which builds the images (third-party code) and pushes them, e.g. dev-images. Restrict each to main on GitHub, as the apply role's."
  type        = list(string)

  validation {
    condition     = length(var.push_github_environments) > 0 && alltrue([for e in var.push_github_environments : can(regex("^[A-Za-z0-9_.-]{1,255}$", e))])
    error_message = "push_github_environments: name the images job's GitHub environment(s), e.g. [\"dev-images\"]: GitHub environment names ([A-Za-z0-9_.-], no wildcards), at least one."
  }
}

variable "plan_github_environments" {
  description = "GitHub environments whose jobs may assume the read-only plan role (the pull-request plan job, e.g. dev-plan). Empty = no plan role. Shares no environment with github_environments or push_github_environments."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.plan_github_environments : can(regex("^[A-Za-z0-9_.-]{1,255}$", e))])
    error_message = "plan_github_environments: each must be a GitHub environment name ([A-Za-z0-9_.-], no wildcards)."
  }
}

variable "plan_policy_arns" {
  description = "Managed policies of the plan role, by a short static name. null = the AWS managed ReadOnlyAccess. The role's own policy adds state read and lock writes, and denies every other S3 write."
  type        = map(string)
  default     = null
}

variable "ecr_repository_arns" {
  description = "ECR repositories the push role may push to (registry unit output repository_arns); nothing else is pushable."
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

variable "state_key_prefix" {
  description = "Key prefix of the environment's state objects in the bucket, ending in / (the root terragrunt.hcl's keys: live/<env>/<unit>/terraform.tfstate -> live/<env>/). Reads and lists are limited to it."
  type        = string
  default     = ""

  validation {
    condition     = var.state_key_prefix == "" || can(regex("^[A-Za-z0-9!_.*'()/-]+/$", var.state_key_prefix))
    error_message = "state_key_prefix must be empty or a key prefix ending in / (e.g. live/dev/), without wildcards."
  }
}

variable "state_units" {
  description = "Units CI applies: the apply role may write <prefix><unit>/terraform.tfstate of these only, and the apply and plan roles may write and delete their .tflock lock objects. No role may delete a state object."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.state_units : can(regex("^[A-Za-z0-9_.-]+$", u))])
    error_message = "state_units must be unit directory names (no / or wildcards)."
  }
}

variable "push_state_units" {
  description = "Units whose state the push role may read (the registry unit: `make push-images` reads the repository URLs from its outputs)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.push_state_units : can(regex("^[A-Za-z0-9_.-]+$", u))])
    error_message = "push_state_units must be unit directory names (no / or wildcards)."
  }
}

variable "lock_table_name" {
  description = "DynamoDB lock table, for a backend still locking with dynamodb_table (deprecated; this project uses S3 lock files, use_lockfile). null = no lock table access."
  type        = string
  default     = null
}

variable "apply_policy_arns" {
  description = "Managed policies attached for `terragrunt apply`, by a short static name (map keys must be known at plan time even when a policy is created in the same apply). Creating VPC/ECS/IAM/KMS... needs broad rights; prefer a scoped list, e.g. AmazonVPCFullAccess, AmazonECS_FullAccess, ElasticLoadBalancingFullAccess, CloudWatchFullAccess, plus S3 (the access-log bucket), aps (the AMP workspace and its rules) and Route 53 (the alias record) rights and an IAM policy limited to the project's role names (README). The boundary's denies hold whatever these grant: among them, no S3 object is deleted or written but the units' own state and lock objects. Empty = the apply role can update the ECS service but not apply infrastructure."
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
