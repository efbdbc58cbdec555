output "repository_urls" {
  description = "Repository URL (push target) by container name."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "repository_names" {
  description = "Repository name by container (<name>/<container>): the repositoryName of ECR's API calls."
  value       = { for k, r in aws_ecr_repository.this : k => r.name }
}

output "repository_arns" {
  description = "Repository ARN by container name (the task's pull permission, CI's push permission)."
  value       = { for k, r in aws_ecr_repository.this : k => r.arn }
}

output "app_repository_url" {
  description = "URL of the app repository (make push-images)."
  value       = aws_ecr_repository.this["app"].repository_url
}

output "gateway_repository_url" {
  description = "URL of the gateway (nginx) repository (make push-images)."
  value       = aws_ecr_repository.this["nginx"].repository_url
}

output "promotion_sources" {
  description = "Where each container's image is promoted from, by container name: the source repository's registry_id, region and repository_name ({} = this environment builds its own). `make push-images` copies TAG from there by digest."
  value = var.promote_images_from == null ? {} : {
    for k in var.repositories : k => {
      registry_id     = var.promote_images_from.account_id
      region          = var.promote_images_from.region
      repository_name = "${var.promote_images_from.name}/${k}"
    }
  }
}
