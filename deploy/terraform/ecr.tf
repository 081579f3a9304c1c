# The origin image for Fargate. Tasks pull it with the execution role, so no registry credentials
# are stored. CI copies each release here from ghcr.io under its commit SHA.

locals {
  origin_name = "${var.name}-origin"
}

resource "aws_ecr_repository" "origin" {
  name = local.origin_name
  # A tag names one image for good, so a task definition revision always runs the image it was
  # registered with, and a rollback gets the same bytes back.
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false
  tags                 = var.tags

  image_scanning_configuration {
    scan_on_push = true
  }

  # AES256 (S3-managed keys) needs no KMS grant for the execution role to pull.
  encryption_configuration {
    encryption_type = "AES256"
  }
}

# NOTE: each release is a multi-platform image index plus its platform manifests. Whether ECR counts
# those manifests as separate images for this rule has not been checked here, so the rule may keep
# fewer than var.ecr_keep_images releases.
resource "aws_ecr_lifecycle_policy" "origin" {
  repository = aws_ecr_repository.origin.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Keep the ${var.ecr_keep_images} most recent images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.ecr_keep_images
        }
        action = { type = "expire" }
      },
    ]
  })
}
