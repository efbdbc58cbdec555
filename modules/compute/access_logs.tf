# ALB access logs: a bucket owned by this module (alb_access_logs_enabled).

data "aws_partition" "current" {}

locals {
  # Regions older than August 2022 deliver ALB access logs as a regional ELB account; newer
  # regions as the logdelivery.elasticloadbalancing.amazonaws.com service principal (AWS,
  # "Enable access logs for your Application Load Balancer"). The ids are AWS's; the
  # provider's aws_elb_service_account holds the same map but fails in newer regions, where
  # this lookup simply finds nothing and the service principal alone is granted.
  elb_log_delivery_accounts = {
    af-south-1     = "098369216593"
    ap-east-1      = "754344448648"
    ap-northeast-1 = "582318560864"
    ap-northeast-2 = "600734575887"
    ap-northeast-3 = "383597477331"
    ap-south-1     = "718504428378"
    ap-southeast-1 = "114774131450"
    ap-southeast-2 = "783225319266"
    ap-southeast-3 = "589379963580"
    ca-central-1   = "985666609251"
    cn-north-1     = "638102146993"
    cn-northwest-1 = "037604701340"
    eu-central-1   = "054676820928"
    eu-north-1     = "897822967062"
    eu-south-1     = "635631232127"
    eu-west-1      = "156460612806"
    eu-west-2      = "652711504416"
    eu-west-3      = "009996457667"
    me-south-1     = "076674570225"
    sa-east-1      = "507241528517"
    us-east-1      = "127311923021"
    us-east-2      = "033677994240"
    us-gov-east-1  = "190560391635"
    us-gov-west-1  = "048591011584"
    us-west-1      = "027434742980"
    us-west-2      = "797873946194"
  }
  elb_log_delivery_account = lookup(local.elb_log_delivery_accounts, data.aws_region.current.name, null)

  # Bucket names are global: the account id keeps two accounts' environments apart.
  access_logs_bucket     = "${var.name}-alb-logs-${data.aws_caller_identity.current.account_id}"
  access_logs_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${local.access_logs_bucket}"
  # ELB writes <prefix>/AWSLogs/<account>/elasticloadbalancing/...: nothing else is granted.
  access_logs_objects_arn = join("/", compact([
    local.access_logs_bucket_arn, var.alb_access_logs_prefix, "AWSLogs", data.aws_caller_identity.current.account_id, "*",
  ]))
}

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18:This bucket is itself a log sink; logging its own requests would need a second bucket and is out of scope.
  #checkov:skip=CKV_AWS_21:Access logs are written once and expire by the lifecycle rule; versioning would only keep expired copies.
  #checkov:skip=CKV_AWS_144:Cross-region replication of access logs is out of this project's scope.
  #checkov:skip=CKV_AWS_145:ALB access logs support SSE-S3 only (AWS refuses to deliver to a KMS-encrypted bucket).
  #checkov:skip=CKV2_AWS_62:Nothing consumes object-created events of the access logs.
  count = var.alb_access_logs_enabled ? 1 : 0

  bucket        = local.access_logs_bucket
  force_destroy = var.alb_access_logs_force_destroy

  tags = merge(var.tags, { Name = local.access_logs_bucket })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  count = var.alb_access_logs_enabled ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256" # SSE-S3: the only encryption ALB log delivery supports
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  count = var.alb_access_logs_enabled ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    # Every object of the bucket (an empty filter, as the provider asks for "all objects").
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }

    expiration {
      days = var.alb_access_logs_expiration_days
    }
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  count = var.alb_access_logs_enabled ? 1 : 0

  bucket                  = aws_s3_bucket.access_logs[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "access_logs" {
  count = var.alb_access_logs_enabled ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.access_logs_bucket_arn, "${local.access_logs_bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = local.elb_log_delivery_account == null ? [] : [local.elb_log_delivery_account]

    content {
      sid       = "ElbAccountWritesAccessLogs"
      actions   = ["s3:PutObject"]
      resources = [local.access_logs_objects_arn]

      principals {
        type        = "AWS"
        identifiers = ["arn:${data.aws_partition.current.partition}:iam::${statement.value}:root"]
      }
    }
  }

  # Granted in every region: the only principal of the newer ones, and no wider than the
  # account statement where that one still delivers (same action, same objects).
  statement {
    sid       = "ElbServiceWritesAccessLogs"
    actions   = ["s3:PutObject"]
    resources = [local.access_logs_objects_arn]

    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  count = var.alb_access_logs_enabled ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id
  policy = data.aws_iam_policy_document.access_logs[0].json

  # S3 refuses concurrent configuration changes of one bucket (OperationAborted).
  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
