# Redis for the prediction cache: var.az_count nodes (a primary and its replicas) with automatic failover.

resource "aws_elasticache_subnet_group" "main" {
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
  tags       = var.tags
}

resource "aws_elasticache_replication_group" "main" {
  replication_group_id       = var.name
  description                = "flight-delay prediction cache"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.redis_node_type
  num_cache_clusters         = var.az_count
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.main.name
  security_group_ids         = [aws_security_group.redis.id]
  automatic_failover_enabled = true
  multi_az_enabled           = true
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  auth_token                 = var.redis_auth_token
  snapshot_retention_limit   = 3
  tags                       = var.tags
}
