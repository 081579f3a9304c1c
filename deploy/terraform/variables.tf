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

variable "metrics_scraper_security_group_id" {
  description = "Security group of the Prometheus or ADOT collector that scrapes /metrics on TCP 9464, or null for none"
  type        = string
  default     = null
}

variable "metrics_scraper_cidr_blocks" {
  description = "IPv4 CIDR blocks of Prometheus scrapers allowed to reach /metrics on TCP 9464"
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.metrics_scraper_cidr_blocks : can(cidrhost(cidr, 0)) && !endswith(cidr, "/0")])
    error_message = "metrics_scraper_cidr_blocks must contain IPv4 CIDR blocks narrower than /0, because /metrics must not be open to the internet."
  }
}

variable "ecr_keep_images" {
  description = "Number of most recently pushed images the ECR lifecycle policy keeps"
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_images >= 5
    error_message = "ecr_keep_images must be at least 5, so rollbacks can reach a few earlier releases."
  }
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose deploy workflow may assume the deploy role"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must have the form owner/name."
  }
}

variable "github_environments" {
  description = "GitHub environments whose jobs may assume the deploy role (the ECS job runs in production)"
  type        = list(string)
  default     = ["production"]

  validation {
    condition     = length(var.github_environments) > 0
    error_message = "github_environments must name at least one environment."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of an existing IAM OIDC provider for token.actions.githubusercontent.com, or null to create one. An account can have only one."
  type        = string
  default     = null
}

variable "ecs_service_stack_name" {
  description = "Name of the CloudFormation stack of deploy/ecs/service.cloudformation.yaml, the only stack the deploy role may change"
  type        = string
  default     = "flight-delay-origin"
}
