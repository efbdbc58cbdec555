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
  description = "Managed policies of the plan role besides the module's read policy (the apply role's reads: a refresh of every unit), by a short static name. null = none. The role's own policy adds state reads, and denies every S3 object write, locks included."
  type        = map(string)
  default     = null
}

variable "stack_name" {
  description = "The name every other module of the environment gets (the root terragrunt.hcl's `name`, e.g. sumapi-dev): the roles' rights are scoped to the resources those modules name after it (repositories <stack>/*, cluster and service <stack>, roles <stack>-*, log groups /ecs/<stack>/*...), and the workload boundary is <stack>-workload-boundary."
  type        = string

  validation {
    # compute names its roles <first 24 characters>-exec-..., networking <first 20>-flow-logs-...:
    # up to 20 characters, every role the stack creates starts with <stack>-.
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,19}$", var.stack_name))
    error_message = "stack_name must be 1-20 of [a-z0-9-] (the modules' role names start with its first 20 characters)."
  }
}

variable "route53_zone_id" {
  description = "Route 53 zone of compute's alias record (domain_name), whose records the apply role may change. null = no DNS rights."
  type        = string
  default     = null
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
  description = "Units CI applies: the apply role may write <prefix><unit>/terraform.tfstate of these only, and write and delete their .tflock lock objects (the plan role takes no lock). No role may delete a state object."
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
  description = "Managed policies attached to the apply role besides the module's own (apply_policies.tf, which cover every unit of this stack), by a short static name. The module's and these are at most 10 together (IAM's default quota per role); the boundary's denies hold whatever these grant."
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

variable "promotion_source_repository_arns" {
  description = "ECR repositories of the environment whose images this one promotes (prod: dev's, arn:aws:ecr:<region>:<account>:repository/<name>/*): the push role may read them, nothing more. [] = this environment builds its own."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.promotion_source_repository_arns : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9/*_.-]*$", a))])
    error_message = "promotion_source_repository_arns must be ECR repository ARNs (arn:aws:ecr:<region>:<account>:repository/<name>/*)."
  }
}
