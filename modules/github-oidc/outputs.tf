output "role_arn" {
  description = "ARN of the apply role: terragrunt apply and the ECS deploy (GitHub environment variable AWS_DEPLOY_ROLE_ARN)."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the apply role."
  value       = aws_iam_role.this.name
}

output "push_role_arn" {
  description = "ARN of the push role: image pushes to the environment's ECR repositories only (GitHub environment variable AWS_PUSH_ROLE_ARN)."
  value       = aws_iam_role.push.arn
}

output "plan_role_arn" {
  description = "ARN of the read-only plan role of the pull-request plan job (variable AWS_PLAN_ROLE_ARN of the plan environment); null without plan_github_environments."
  value       = one(aws_iam_role.plan[*].arn)
}

output "boundary_policy_arn" {
  description = "ARN of the permissions boundary every role of this module carries."
  value       = aws_iam_policy.boundary.arn
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider the roles trust."
  value       = local.oidc_provider_arn
}
