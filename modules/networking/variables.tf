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

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC. The subnets are carved out of it unless given explicitly."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(try(split("/", var.vpc_cidr)[1], 0)) >= 16 && tonumber(try(split("/", var.vpc_cidr)[1], 0)) <= 24
    error_message = "vpc_cidr must be a valid IPv4 CIDR with a prefix length between /16 and /24."
  }
}

variable "azs" {
  description = "Exactly two availability zone names. Empty = the first two available zones of the region (data source)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.azs) == 0 || length(var.azs) == 2
    error_message = "azs must be empty (use the region's first two zones) or list exactly two zone names."
  }
}

variable "public_subnet_cidrs" {
  description = "Two CIDRs for the public subnets (ALB, NAT gateways), one per AZ. Empty = cidrsubnet(vpc_cidr, 8, 0..1)."
  type        = list(string)
  default     = []

  validation {
    condition     = (length(var.public_subnet_cidrs) == 0 || length(var.public_subnet_cidrs) == 2) && alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "public_subnet_cidrs must be empty or two valid IPv4 CIDRs."
  }
}

variable "private_subnet_cidrs" {
  description = "Two CIDRs for the private subnets (Fargate tasks), one per AZ. Empty = cidrsubnet(vpc_cidr, 8, 10..11)."
  type        = list(string)
  default     = []

  validation {
    condition     = (length(var.private_subnet_cidrs) == 0 || length(var.private_subnet_cidrs) == 2) && alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "private_subnet_cidrs must be empty or two valid IPv4 CIDRs."
  }
}

variable "single_nat_gateway" {
  description = "true = one NAT gateway shared by both AZs (cheaper, an AZ outage cuts egress of the other AZ); false = one NAT gateway per AZ (resilient, twice the hourly cost)."
  type        = bool
  default     = true
}

variable "alb_ingress_cidrs" {
  description = "IPv4 CIDRs allowed to reach the ALB on ports 80 and 443."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.alb_ingress_cidrs) > 0 && alltrue([for c in var.alb_ingress_cidrs : can(cidrhost(c, 0))])
    error_message = "alb_ingress_cidrs must list at least one valid IPv4 CIDR."
  }
}

variable "gateway_port" {
  description = "Container port of the nginx gateway; the only port of the tasks the ALB may reach."
  type        = number
  default     = 8080

  validation {
    condition     = var.gateway_port >= 1024 && var.gateway_port <= 65535 && floor(var.gateway_port) == var.gateway_port
    error_message = "gateway_port must be an unprivileged port number (1024-65535): the containers run as non-root."
  }
}

variable "flow_logs_traffic_type" {
  description = "Traffic captured by the VPC flow log: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs_traffic_type)
    error_message = "flow_logs_traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "flow_logs_retention_days" {
  description = "Retention of the VPC flow log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "flow_logs_kms_key_arn" {
  description = "ARN of a KMS key encrypting the flow log group (its key policy must allow logs.<region>.amazonaws.com). null = CloudWatch Logs default encryption."
  type        = string
  default     = null

  validation {
    condition     = var.flow_logs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.flow_logs_kms_key_arn))
    error_message = "flow_logs_kms_key_arn must be null or a KMS key ARN."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the roles this module creates (the github-oidc unit's <name>-workload-boundary: the pipeline's apply role may create roles only inside it). null = none."
  type        = string
  default     = null
}
