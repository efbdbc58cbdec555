# The image repositories of the task, in a unit of their own: the first deploy pushes images
# here before the compute unit creates a service that pulls them (docs/infrastructure.md).
resource "aws_ecr_repository" "this" {
  for_each = var.repositories

  name = "${var.name}/${each.key}"
  # A tag names one build forever: a rollback is "deploy the previous tag".
  image_tag_mutability = "IMMUTABLE"
  # ECR refuses to delete a repository that holds images: a destroy of this unit deletes them
  # with it. Every image is a build of a commit, which the image build can make again.
  force_delete = true

  image_scanning_configuration {
    scan_on_push = true
  }

  # KMS with kms_key = null means the AWS managed aws/ecr key.
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = merge(var.tags, { Name = "${var.name}/${each.key}" })
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = var.repositories

  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images (failed or superseded pushes) after 7 days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the ${var.keep_images} most recent images (rollback window)"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

# Another environment's push role (prod's) reads the images it promotes, and nothing else:
# no push, no delete (immutable tags keep what dev ran).
resource "aws_ecr_repository_policy" "this" {
  for_each = length(var.pull_principal_arns) > 0 ? var.repositories : toset([])

  repository = aws_ecr_repository.this[each.key].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PromotingEnvironmentsPull"
      Effect    = "Allow"
      Principal = { AWS = var.pull_principal_arns }
      Action = [
        "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages",
        "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer",
      ]
    }]
  })
}
