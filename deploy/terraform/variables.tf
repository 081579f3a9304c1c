variable "name" {
  description = "Prefix of every resource name, for example flight-delay-production"
  type        = string
  default     = "flight-delay"
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC; each subnet gets a /20 of it"
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Number of availability zones for the subnets, RDS and Redis"
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6
    error_message = "az_count must be from 2 to 6, because multi-AZ RDS and Redis failover need at least two zones."
  }
}

variable "certificate_arn" {
  description = "ACM certificate ARN for the HTTPS listener of the load balancer"
  type        = string
}

variable "db_instance_class" {
  description = "RDS instance class of the PostgreSQL prediction log"
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage_gb" {
  description = "Allocated RDS storage in GiB"
  type        = number
  default     = 50
}

variable "db_backup_retention_days" {
  description = "Days RDS keeps automated backups"
  type        = number
  default     = 14
}

variable "db_username" {
  description = "Master user name of the PostgreSQL database"
  type        = string
  default     = "flight_delay"
}

variable "redis_node_type" {
  description = "ElastiCache node type of the Redis cache"
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_auth_token" {
  description = "AUTH token of the Redis replication group, 16 to 128 printable characters"
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.redis_auth_token) >= 16 && length(var.redis_auth_token) <= 128
    error_message = "redis_auth_token must be 16 to 128 characters long."
  }
}

variable "log_retention_days" {
  description = "Days the ALB access logs stay in the S3 bucket"
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}
