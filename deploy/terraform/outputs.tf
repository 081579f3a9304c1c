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
  description = "PostgreSQL host and port for DATABASE_URL"
  value       = aws_db_instance.main.endpoint
}

output "db_master_user_secret_arn" {
  description = "Secrets Manager secret with the RDS master password"
  value       = aws_db_instance.main.master_user_secret[0].secret_arn
}

output "redis_primary_endpoint" {
  description = "Redis primary endpoint for REDIS_URL (rediss://, TLS is required)"
  value       = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "alb_logs_bucket" {
  description = "S3 bucket of the load balancer access logs"
  value       = aws_s3_bucket.alb_logs.bucket
}
