# The load balancer: the ALB, its target group and listeners.

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:The web ACL is the waf unit's (modules/waf): it associates itself with this ALB from its own state, which checkov cannot see from this module.
  #checkov:skip=CKV2_AWS_20:The HTTP listener redirects to HTTPS whenever enable_https is set; without a certificate (local emulator, bootstrap) it must forward.
  #checkov:skip=CKV_AWS_91:Access logs are opt-in (alb_access_logs_enabled, on in the dev example) to the module's own bucket (access_logs.tf); off where nobody reads them.
  name                       = var.name
  internal                   = false # the public entry point: it lives in the public subnets on purpose
  load_balancer_type         = "application"
  security_groups            = [var.alb_security_group_id]
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection
  idle_timeout               = var.alb_idle_timeout_seconds

  dynamic "access_logs" {
    for_each = var.alb_access_logs_enabled ? [1] : []

    content {
      bucket  = aws_s3_bucket.access_logs[0].id
      prefix  = var.alb_access_logs_prefix
      enabled = true
    }
  }

  tags = merge(var.tags, { Name = var.name })

  # Enabling access logs makes ELB check (and write a test object) that it may write to the
  # bucket: the policy must exist first.
  depends_on = [aws_s3_bucket_policy.access_logs]

  lifecycle {
    # The side that closes an idle connection must be the ALB: were nginx first, the ALB could
    # reuse a connection nginx just closed and answer 502.
    precondition {
      condition     = var.alb_idle_timeout_seconds < var.gateway_keepalive_timeout_seconds
      error_message = "alb_idle_timeout_seconds must be below gateway_keepalive_timeout_seconds (nginx's keepalive_timeout)."
    }
  }
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the ALB; the ALB-to-nginx hop stays inside the VPC (private subnets, SG-restricted) and nginx holds no certificate.
  # Port, protocol and VPC changes replace the group. It must exist before the old one goes
  # (the listeners point at it): a fixed name would collide, so a prefix (at most 6
  # characters, the provider appends 26) and the Name tag say whose it is.
  name_prefix = substr(var.name, 0, 6)
  target_type = "ip"
  protocol    = "HTTP"
  port        = var.gateway_port
  vpc_id      = var.vpc_id

  # Matches the app's drain: ECS deregisters a task, waits this long, then sends SIGTERM.
  # A string in the provider's schema (5.x), seconds as ELB's attribute holds them.
  deregistration_delay = tostring(var.deregistration_delay_seconds)

  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }

  tags = merge(var.tags, { Name = "${var.name}-gw" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Port 80 only redirects to HTTPS when enable_https is set; without a certificate (local emulator, first bootstrap) plain HTTP is the only option.
  #checkov:skip=CKV_AWS_103:Same listener: TLS policy applies to the HTTPS listener, which uses ssl_policy.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  dynamic "default_action" {
    for_each = local.https_enabled ? [1] : []

    content {
      type = "redirect"

      redirect {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }

  dynamic "default_action" {
    for_each = local.https_enabled ? [] : [1]

    content {
      type             = "forward"
      target_group_arn = aws_lb_target_group.this.arn
    }
  }

  lifecycle {
    precondition {
      condition     = !var.enable_https || var.certificate_arn != null
      error_message = "enable_https = true needs certificate_arn."
    }
    precondition {
      condition     = (var.domain_name == null) == (var.route53_zone_id == null)
      error_message = "domain_name and route53_zone_id go together: set both (the alias record lives in that zone) or neither."
    }
    # The certificate is what makes a domain worth having: without it clients would get
    # plain HTTP on a name that promises more.
    precondition {
      condition     = var.domain_name == null || var.enable_https
      error_message = "domain_name needs enable_https = true and a certificate_arn that covers it."
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https_enabled ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}
