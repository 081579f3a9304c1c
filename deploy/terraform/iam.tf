# The two roles of the origin's task definition. ECS starts a task with the execution role: it pulls
# the image, writes logs and reads the secrets. The origin's code runs with the task role.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

# Only ECS tasks of this account may assume the roles, which guards against the confused-deputy case.
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${local.origin_name}-execution"
  description        = "ECS task execution role of the flight-delay origin"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

# The AWS managed policy grants the ECR pull (GetAuthorizationToken, BatchGetImage,
# GetDownloadUrlForLayer, BatchCheckLayerAvailability) and CloudWatch Logs writes.
resource "aws_iam_role_policy_attachment" "execution_managed" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# The secrets use the AWS managed key aws/secretsmanager, so reading them needs no kms:Decrypt grant.
data "aws_iam_policy_document" "execution_secrets" {
  statement {
    sid       = "ReadOriginSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(local.origin_secret_arns)
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "read-origin-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

# The origin calls no AWS API, so the task role has no policy. It is still named in the task
# definition, so that any future AWS access gets its own policy here and not on the execution role.
resource "aws_iam_role" "task" {
  name               = "${local.origin_name}-task"
  description        = "Task role of the flight-delay origin, without permissions"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}
