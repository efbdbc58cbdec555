# Optional domain: an alias record to the ALB (domain_name + route53_zone_id).

# The ALB's own name (*.elb.amazonaws.com) is never covered by the listener's certificate:
# HTTPS clients, the smoke test included, need a name of their own (output url).
resource "aws_route53_record" "alias" {
  # Half a domain (name without zone, or the reverse) is refused by a precondition of
  # aws_lb_listener.http, with a message that says so.
  count = var.domain_name != null && var.route53_zone_id != null ? 1 : 0

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A" # the ALB is IPv4-only (ip_address_type ipv4)

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}
