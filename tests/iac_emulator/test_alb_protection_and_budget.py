"""The waf unit and the observability unit's budget as the deployed stack holds them.

Read with boto3 from the suite's deployment (tests/iac_emulator/conftest.py): the web ACL
protects compute's ALB, its rate-based rules hold what compute gives each task's nginx, the
health probes pass the managed groups, the logs go to aws-waf-logs-<name> without the key in
clear; the blocked-requests alarm and the budget's alerts reach the alarm topic, which lets
AWS Budgets publish. The re-plan, the targeted deploy and the destroy of test_stack.py cover
the rest of the units' life.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness.emulator import NAME, Emulator

pytestmark = pytest.mark.usefixtures("deployed")


def deployed_web_acl(emulator: Emulator) -> dict[str, Any]:
    wafv2 = emulator.client("wafv2")
    alb_arn = emulator.outputs("compute")["alb_arn"]
    acl: dict[str, Any] = wafv2.get_web_acl_for_resource(ResourceArn=alb_arn)["WebACL"]
    return acl


def test_the_web_acl_protects_the_alb_with_the_gateways_limits_across_tasks(
    emulator: Emulator,
) -> None:
    waf, compute = emulator.outputs("waf"), emulator.outputs("compute")
    acl = deployed_web_acl(emulator)
    assert acl["ARN"] == waf["web_acl_arn"]
    assert acl["Name"] == waf["web_acl_name"] == NAME

    # The gateway's per-task limits reach nginx from the same compute output the waf unit reads.
    task = emulator.client("ecs").describe_task_definition(
        taskDefinition=compute["task_definition_arn"]
    )["taskDefinition"]
    [nginx] = [c for c in task["containerDefinitions"] if c["name"] == "nginx"]
    environment = {e["name"]: e["value"] for e in nginx["environment"]}
    limits = compute["gateway_rate_limits"]
    assert environment["SUM_RATE"] == f"{limits['sum']['per_second']}r/s"
    assert environment["SUM_BURST"] == str(limits["sum"]["burst"])
    assert environment["UNAUTH_RATE"] == f"{limits['unauthenticated']['per_second']}r/s"
    assert environment["UNAUTH_BURST"] == str(limits["unauthenticated"]["burst"])

    # What one task allows per window, held across all tasks.
    window = waf["rate_limit_window_seconds"]
    allowance = {
        c: limits[c]["per_second"] * window + limits[c]["burst"] for c in ("sum", "unauthenticated")
    }
    rules = {r["Name"]: r for r in acl["Rules"]}
    per_key = rules["rate-per-api-key"]["Statement"]["RateBasedStatement"]
    assert per_key["Limit"] == allowance["sum"] == waf["rate_limits"]["api_key"]
    assert per_key["EvaluationWindowSec"] == window
    assert per_key["AggregateKeyType"] == "CUSTOM_KEYS"
    assert [k["Header"]["Name"] for k in per_key["CustomKeys"]] == ["x-api-key"]
    per_ip = rules["rate-per-client-ip"]["Statement"]["RateBasedStatement"]
    assert per_ip["Limit"] == allowance["sum"] + allowance["unauthenticated"]
    assert per_ip["AggregateKeyType"] == "IP"
    for name in ("rate-per-api-key", "rate-per-client-ip"):
        response = rules[name]["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": str(window)}]


def test_only_volume_stops_a_health_probe_and_the_key_is_never_in_clear(
    emulator: Emulator,
) -> None:
    acl = deployed_web_acl(emulator)
    order = [r["Name"] for r in sorted(acl["Rules"], key=lambda r: r["Priority"])]
    assert order == [
        "rate-per-client-ip",
        "rate-per-api-key",
        "health-probes",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesCommonRuleSet",
    ]
    [health] = [r for r in acl["Rules"] if r["Name"] == "health-probes"]
    assert health["Action"] == {"Allow": {}}
    counted = {
        r["Name"]: sorted(
            o["Name"]
            for o in r["Statement"]["ManagedRuleGroupStatement"].get("RuleActionOverrides", [])
        )
        for r in acl["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert counted["AWSManagedRulesCommonRuleSet"] == [
        "NoUserAgent_HEADER",
        "SizeRestrictions_BODY",
    ]
    assert acl["DataProtectionConfig"]["DataProtections"] == [
        {"Field": {"FieldType": "SINGLE_HEADER", "FieldKeys": ["x-api-key"]}, "Action": "HASH"}
    ]
    assert all(
        r["VisibilityConfig"]["CloudWatchMetricsEnabled"]
        and r["VisibilityConfig"]["SampledRequestsEnabled"]
        for r in acl["Rules"]
    )


def test_waf_logs_what_it_blocks_and_counts_to_its_log_group(emulator: Emulator) -> None:
    waf = emulator.outputs("waf")
    group = waf["log_group_name"]
    assert group == f"aws-waf-logs-{NAME}"
    logs = emulator.client("logs")
    [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["retentionInDays"] == 7
    logging = emulator.client("wafv2").get_logging_configuration(ResourceArn=waf["web_acl_arn"])[
        "LoggingConfiguration"
    ]
    assert [d.removesuffix(":*") for d in logging["LogDestinationConfigs"]] == [
        described["arn"].removesuffix(":*")
    ]
    kept = {
        c["ActionCondition"]["Action"]
        for f in logging["LoggingFilter"]["Filters"]
        for c in f["Conditions"]
    }
    assert (logging["LoggingFilter"]["DefaultBehavior"], kept) == ("DROP", {"BLOCK", "COUNT"})
    [policy] = [
        json.loads(p["policyDocument"])
        for p in logs.describe_resource_policies()["resourcePolicies"]
        if p["policyName"] == group
    ]
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert statement["Resource"] == f"{described['arn'].removesuffix(':*')}:*"


def test_blocked_requests_and_the_budget_reach_the_alarm_topic(emulator: Emulator) -> None:
    observability = emulator.outputs("observability")
    topic = observability["sns_topic_arn"]
    [alarm] = emulator.client("cloudwatch").describe_alarms(
        AlarmNames=[observability["alarm_names"]["waf_blocked_requests"]]
    )["MetricAlarms"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/WAFV2", "BlockedRequests")
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {
        "WebACL": NAME,
        "Region": "us-east-1",
        "Rule": "ALL",
    }
    assert alarm["AlarmActions"] == alarm["OKActions"] == [topic]

    budgets = emulator.client("budgets")
    name = observability["budget_name"]
    budget = budgets.describe_budget(AccountId="123456789012", BudgetName=name)["Budget"]
    assert (budget["BudgetType"], budget["TimeUnit"]) == ("COST", "MONTHLY")
    assert float(budget["BudgetLimit"]["Amount"]) == 150
    assert budget["CostFilters"] == {"TagKeyValue": ["user:Environment$local"]}
    notifications = budgets.describe_notifications_for_budget(
        AccountId="123456789012", BudgetName=name
    )["Notifications"]
    assert sorted((n["NotificationType"], n["Threshold"]) for n in notifications) == [
        ("ACTUAL", 80.0),
        ("ACTUAL", 100.0),
        ("FORECASTED", 100.0),
    ]
    for notification in notifications:
        subscribers = budgets.describe_subscribers_for_notification(
            AccountId="123456789012", BudgetName=name, Notification=notification
        )["Subscribers"]
        assert subscribers == [{"SubscriptionType": "SNS", "Address": topic}]

    policy = json.loads(
        emulator.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    )
    [publish] = [
        s for s in policy["Statement"] if s["Principal"] == {"Service": "budgets.amazonaws.com"}
    ]
    assert publish["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    assert publish["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:budgets::123456789012:*"
