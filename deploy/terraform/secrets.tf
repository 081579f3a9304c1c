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

locals {
  # Environment variable names, which are also the last part of the secret names. for_each takes this
  # literal list and not keys(local.origin_secret_values), because Terraform rejects for_each keys
  # that are sensitive or unknown until apply, and the values derive from random_password and
  # var.redis_auth_token.
  origin_secret_names = ["DATABASE_URL", "REDIS_URL", "ORIGIN_SHARED_SECRET"]

  origin_secret_descriptions = {
    DATABASE_URL         = "PostgreSQL connection string of the origin"
    REDIS_URL            = "Redis connection string of the origin (TLS, AUTH token)"
    ORIGIN_SHARED_SECRET = "Value the edge Worker sends in X-Origin-Secret"
  }

  origin_secret_values = {
    # NOTE: node-postgres (pg-connection-string 2.14) treats a bare sslmode=require as verify-full, which
    # fails because Node does not trust the RDS CA. uselibpqcompat=true gives libpq's meaning: encrypted
    # but without server certificate verification. Verifying needs the RDS CA bundle in the image and
    # sslrootcert=<path>&sslmode=verify-full.
    DATABASE_URL = format(
      "postgres://%s:%s@%s/%s?sslmode=require&uselibpqcompat=true",
      var.db_username,
      random_password.db_master.result,
      aws_db_instance.main.endpoint,
      aws_db_instance.main.db_name,
    )

    # rediss:// turns on TLS, which the replication group requires. ioredis percent-decodes the password.
    REDIS_URL = format(
      "rediss://:%s@%s:%d",
      urlencode(var.redis_auth_token),
      aws_elasticache_replication_group.main.primary_endpoint_address,
      aws_elasticache_replication_group.main.port,
    )

    # The Worker must send the same value: `npx wrangler secret put ORIGIN_SHARED_SECRET --env <env>`
    # with the output origin_shared_secret.
    ORIGIN_SHARED_SECRET = random_password.origin_shared_secret.result
  }
}

resource "aws_secretsmanager_secret" "origin" {
  for_each = toset(local.origin_secret_names)

  name                    = "${local.origin_name}/${each.key}"
  description             = local.origin_secret_descriptions[each.key]
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "origin" {
  for_each = toset(local.origin_secret_names)

  secret_id     = aws_secretsmanager_secret.origin[each.key].id
  secret_string = local.origin_secret_values[each.key]
}

locals {
  origin_secret_arns = { for name, secret in aws_secretsmanager_secret.origin : name => secret.arn }
}
