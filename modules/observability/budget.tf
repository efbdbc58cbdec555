# The environment's cost guard-rail: a monthly AWS Budget whose actual and forecast alerts go
# to the alarm topic (the topic's policy lets budgets.amazonaws.com publish: main.tf).

locals {
  # Each alert of the budget: the spend it compares and the percentage of the limit.
  budget_alerts = var.budget == null ? [] : concat(
    [for percentage in var.budget.actual_alert_percentages : { type = "ACTUAL", percentage = percentage }],
    [{ type = "FORECASTED", percentage = var.budget.forecast_alert_percentage }],
  )
}

resource "aws_budgets_budget" "this" {
  count = var.budget == null ? 0 : 1

  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.budget.limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  # Costs of this environment only: the tag every resource carries through the provider's
  # default_tags, once activated as a cost allocation tag (docs/runbook.md#first-deploy).
  dynamic "cost_filter" {
    for_each = var.budget.cost_allocation_tag == null ? [] : [var.budget.cost_allocation_tag]

    content {
      name   = "TagKeyValue"
      values = [format("user:%s$%s", cost_filter.value.key, cost_filter.value.value)]
    }
  }

  dynamic "notification" {
    for_each = local.budget_alerts

    content {
      notification_type         = notification.value.type
      comparison_operator       = "GREATER_THAN"
      threshold                 = notification.value.percentage
      threshold_type            = "PERCENTAGE"
      subscriber_sns_topic_arns = [aws_sns_topic.this.arn]
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-monthly" })

  # Budgets checks at once that it may publish to the topic.
  depends_on = [aws_sns_topic_policy.this]
}
