resource "aws_ecs_cluster" "main" {
  name = var.name
  tags = var.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "origin" {
  name              = "/ecs/flight-delay-origin"
  retention_in_days = 30
  tags              = var.tags
}
