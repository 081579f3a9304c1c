output "vpc_id" {
  description = "ID of the VPC"
  value       = aws_vpc.main.id
}

output "private_subnet_ids" {
  description = "Private subnets for the ECS service's SubnetIds parameter"
  value       = aws_subnet.private[*].id
}

output "task_security_group_id" {
  description = "Security group for the ECS service's TaskSecurityGroupId parameter"
  value       = aws_security_group.tasks.id
}

output "cluster_name" {
  description = "ECS cluster for the ECS service's ClusterName parameter"
  value       = aws_ecs_cluster.main.name
}

output "https_listener_arn" {
  description = "HTTPS listener for the ECS service's ListenerArn parameter"
  value       = aws_lb_listener.https.arn
}

output "alb_dns_name" {
  description = "DNS name of the load balancer"
  value       = aws_lb.main.dns_name
}

output "db_endpoint" {
  description = "PostgreSQL host and port, as used in the DATABASE_URL secret"
  value       = aws_db_instance.main.endpoint
}

output "redis_primary_endpoint" {
  description = "Redis primary endpoint, as used in the REDIS_URL secret (rediss://, TLS is required)"
  value       = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "ecr_repository_url" {
  description = "ECR repository of the origin image, to which CI pushes <url>:<commit sha>"
  value       = aws_ecr_repository.origin.repository_url
}

output "execution_role_arn" {
  description = "Task execution role for executionRoleArn in deploy/ecs/task-definition.json"
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "Task role for taskRoleArn in deploy/ecs/task-definition.json"
  value       = aws_iam_role.task.arn
}

output "secret_arns" {
  description = "Secrets Manager ARNs by environment variable name, for the secrets in deploy/ecs/task-definition.json"
  value       = local.origin_secret_arns
}

output "origin_shared_secret" {
  description = "Value for `npx wrangler secret put ORIGIN_SHARED_SECRET` and the GitHub secret ORIGIN_SHARED_SECRET"
  value       = random_password.origin_shared_secret.result
  sensitive   = true
}

output "github_deploy_role_arn" {
  description = "Role for the GitHub variable AWS_DEPLOY_ROLE_ARN, assumed by the deploy-ecs job through OIDC"
  value       = aws_iam_role.github_deploy.arn
}

output "alb_logs_bucket" {
  description = "S3 bucket of the load balancer access logs"
  value       = aws_s3_bucket.alb_logs.bucket
}
