terraform {
  required_version = ">= 1.6.0"

  required_providers {
    # 5.81 made thumbprint_list of aws_iam_openid_connect_provider optional.
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.81"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # NOTE: the state contains the database password, the Redis AUTH token and ORIGIN_SHARED_SECRET in
  # plain text (secrets.tf writes them into Secrets Manager). Keep it in an encrypted bucket that only
  # the operators can read, for example this S3 backend with its own bucket and KMS key:
  #
  # backend "s3" {
  #   bucket       = "<state bucket>"
  #   key          = "flight-delay/terraform.tfstate"
  #   region       = "<region>"
  #   encrypt      = true
  #   kms_key_id   = "<KMS key ARN>"
  #   use_lockfile = true
  # }
}
