# The origin's three secrets in Secrets Manager. ECS injects them into the container as environment
# variables (the task definition's `secrets`), reading them with the execution role.
# NOTE: Terraform writes the values, so they are in the Terraform state in plain text. The backend
# note in versions.tf says how to protect the state.

resource "random_password" "db_master" {
  length = 40
  # Letters and digits only: RDS rejects '/', '@', '"' and spaces, and the password goes into a URL.
  special = false
}

resource "random_password" "origin_shared_secret" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "database_url" {
  name                    = "${local.origin_name}/DATABASE_URL"
  description             = "PostgreSQL connection string of the origin"
  recovery_window_in_days = 7
  tags                    = var.tags
}

# NOTE: node-postgres (pg-connection-string 2.14) treats a bare sslmode=require as verify-full, which
# fails because Node does not trust the RDS CA. uselibpqcompat=true gives libpq's meaning: encrypted
# but without server certificate verification. Verifying needs the RDS CA bundle in the image and
# sslrootcert=<path>&sslmode=verify-full.
resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id = aws_secretsmanager_secret.database_url.id
  secret_string = format(
    "postgres://%s:%s@%s/%s?sslmode=require&uselibpqcompat=true",
    var.db_username,
    random_password.db_master.result,
    aws_db_instance.main.endpoint,
    aws_db_instance.main.db_name,
  )
}

resource "aws_secretsmanager_secret" "redis_url" {
  name                    = "${local.origin_name}/REDIS_URL"
  description             = "Redis connection string of the origin (TLS, AUTH token)"
  recovery_window_in_days = 7
  tags                    = var.tags
}

# rediss:// turns on TLS, which the replication group requires. ioredis percent-decodes the password.
resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id = aws_secretsmanager_secret.redis_url.id
  secret_string = format(
    "rediss://:%s@%s:%d",
    urlencode(var.redis_auth_token),
    aws_elasticache_replication_group.main.primary_endpoint_address,
    aws_elasticache_replication_group.main.port,
  )
}

resource "aws_secretsmanager_secret" "origin_shared_secret" {
  name                    = "${local.origin_name}/ORIGIN_SHARED_SECRET"
  description             = "Value the edge Worker sends in X-Origin-Secret"
  recovery_window_in_days = 7
  tags                    = var.tags
}

# The Worker must send the same value: `npx wrangler secret put ORIGIN_SHARED_SECRET --env <env>`
# with the output origin_shared_secret.
resource "aws_secretsmanager_secret_version" "origin_shared_secret" {
  secret_id     = aws_secretsmanager_secret.origin_shared_secret.id
  secret_string = random_password.origin_shared_secret.result
}

locals {
  origin_secret_arns = {
    DATABASE_URL         = aws_secretsmanager_secret.database_url.arn
    REDIS_URL            = aws_secretsmanager_secret.redis_url.arn
    ORIGIN_SHARED_SECRET = aws_secretsmanager_secret.origin_shared_secret.arn
  }
}
