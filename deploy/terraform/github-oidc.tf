# The role that the deploy workflow's ECS job assumes through GitHub's OIDC provider, so no AWS keys
# are stored in GitHub. Its ARN goes in the repository variable AWS_DEPLOY_ROLE_ARN.
# NOTE: the GitLab pipeline's deploy-ecs job needs a role that trusts gitlab.com's OIDC provider
# instead, and this module does not create one.

locals {
  github_oidc_host = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = (
    var.github_oidc_provider_arn != null ? var.github_oidc_provider_arn : aws_iam_openid_connect_provider.github[0].arn
  )
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition
  # ServiceName in deploy/ecs/service.cloudformation.yaml.
  ecs_service_name = "flight-delay-origin"
}

# AWS checks GitHub's certificate against its own trusted CAs, so no thumbprint is pinned here.
resource "aws_iam_openid_connect_provider" "github" {
  count          = var.github_oidc_provider_arn == null ? 1 : 0
  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

# Only jobs of var.github_repository that run in one of var.github_environments get the role, so a
# pull request or another branch cannot deploy. The environments' protection rules then decide who
# may start such a job.
data "aws_iam_policy_document" "github_deploy_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = formatlist("repo:${var.github_repository}:environment:%s", var.github_environments)
    }
  }
}

resource "aws_iam_role" "github_deploy" {
  name                 = "${local.origin_name}-github-deploy"
  description          = "Assumed by the GitHub deploy workflow to release the origin on ECS"
  assume_role_policy   = data.aws_iam_policy_document.github_deploy_assume.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "github_deploy" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "EcrPushOrigin"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.origin.arn]
  }

  # Neither action supports resource-level permissions.
  statement {
    sid       = "TaskDefinitions"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }

  # CloudFormation updates the service with the caller's credentials, because the stack has no
  # service role, so the role may update this one service and no other.
  statement {
    sid       = "OriginService"
    actions   = ["ecs:DescribeServices", "ecs:UpdateService"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${aws_ecs_cluster.main.name}/${local.ecs_service_name}"]
  }

  # CloudFormation checks the stack's AWS-specific parameter types (subnet, security group and VPC
  # ids) with the caller's credentials.
  statement {
    sid       = "StackParameterChecks"
    actions   = ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
    resources = ["*"]
  }

  statement {
    sid       = "ServiceStack"
    actions   = ["cloudformation:*"]
    resources = ["arn:${local.partition}:cloudformation:${local.region}:${local.account_id}:stack/${var.ecs_service_stack_name}/*"]
  }

  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "github_deploy" {
  name   = "deploy-origin"
  role   = aws_iam_role.github_deploy.id
  policy = data.aws_iam_policy_document.github_deploy.json
}
