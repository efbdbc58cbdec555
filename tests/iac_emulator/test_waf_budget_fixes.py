"""The emulator's WAF and Budgets fixes (localenv/moto_wafv2.py, localenv/moto_budgets.py)
answer as the AWS API references document the calls.

On an emulator of their own, started by localenv.emulator like `make emulator`, so the suite's
deployment never sees what these create. The stack's apply, re-plan and destroy prove that the
provider is content with the answers; these pin the answers themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from tests.harness.emulator import Emulator, private_emulator

ACCOUNT = "123456789012"
VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
PROTECT_KEY = {
    "DataProtections": [
        {"Field": {"FieldType": "SINGLE_HEADER", "FieldKeys": ["x-api-key"]}, "Action": "HASH"}
    ]
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with private_emulator(tmp_path_factory.mktemp("waf-budget-fixes")) as started:
        yield started


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def web_acl(fresh: Emulator, name: str, **settings: Any) -> dict[str, Any]:
    summary: dict[str, Any] = fresh.client("wafv2").create_web_acl(
        Name=name,
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig=VISIBILITY,
        **settings,
    )["Summary"]
    return summary


def load_balancer(fresh: Emulator, name: str, kind: str = "application") -> str:
    ec2 = fresh.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]
    arn: str = fresh.client("elbv2").create_load_balancer(Name=name, Subnets=subnets, Type=kind)[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    return arn


def test_a_web_acl_keeps_its_data_protection_and_an_update_replaces_it(fresh: Emulator) -> None:
    wafv2 = fresh.client("wafv2")
    created = web_acl(fresh, "protected", DataProtectionConfig=PROTECT_KEY)
    got = wafv2.get_web_acl(Name="protected", Scope="REGIONAL", Id=created["Id"])
    assert got["WebACL"]["DataProtectionConfig"] == PROTECT_KEY

    # UpdateWebACL takes the whole configuration: without one, the protection is gone.
    wafv2.update_web_acl(
        Name="protected",
        Scope="REGIONAL",
        Id=created["Id"],
        DefaultAction={"Allow": {}},
        VisibilityConfig=VISIBILITY,
        LockToken=got["LockToken"],
    )
    again = wafv2.get_web_acl(Name="protected", Scope="REGIONAL", Id=created["Id"])
    assert "DataProtectionConfig" not in again["WebACL"]


def test_only_an_existing_application_load_balancer_is_associated(fresh: Emulator) -> None:
    wafv2 = fresh.client("wafv2")
    acl = web_acl(fresh, "front")["ARN"]
    alb = load_balancer(fresh, "front-alb")
    with pytest.raises(ClientError) as nothing:
        wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=alb.replace("front-alb", "gone-alb"))
    assert error_code(nothing) == "WAFNonexistentItemException"
    nlb = load_balancer(fresh, "front-nlb", kind="network")
    with pytest.raises(ClientError) as network:
        wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=nlb)
    assert error_code(network) == "WAFInvalidParameterException"

    wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=alb)
    assert wafv2.get_web_acl_for_resource(ResourceArn=alb)["WebACL"]["ARN"] == acl


def test_a_resource_has_one_web_acl_and_one_in_use_is_not_deleted(fresh: Emulator) -> None:
    wafv2 = fresh.client("wafv2")
    first = web_acl(fresh, "first")
    second = web_acl(fresh, "second", DataProtectionConfig=PROTECT_KEY)
    alb = load_balancer(fresh, "shared-alb")
    wafv2.associate_web_acl(WebACLArn=first["ARN"], ResourceArn=alb)
    wafv2.associate_web_acl(WebACLArn=second["ARN"], ResourceArn=alb)
    answered = wafv2.get_web_acl_for_resource(ResourceArn=alb)["WebACL"]
    assert answered["ARN"] == second["ARN"], "associating another web ACL replaces the first"
    assert answered["DataProtectionConfig"] == PROTECT_KEY

    token = wafv2.get_web_acl(Name="second", Scope="REGIONAL", Id=second["Id"])["LockToken"]
    with pytest.raises(ClientError) as in_use:
        wafv2.delete_web_acl(Name="second", Scope="REGIONAL", Id=second["Id"], LockToken=token)
    assert error_code(in_use) == "WAFAssociatedItemException"
    first_token = wafv2.get_web_acl(Name="first", Scope="REGIONAL", Id=first["Id"])["LockToken"]
    wafv2.delete_web_acl(Name="first", Scope="REGIONAL", Id=first["Id"], LockToken=first_token)

    wafv2.disassociate_web_acl(ResourceArn=alb)
    assert wafv2.get_web_acl_for_resource(ResourceArn=alb).get("WebACL") is None
    wafv2.delete_web_acl(Name="second", Scope="REGIONAL", Id=second["Id"], LockToken=token)


def test_a_deleted_load_balancer_leaves_no_association(fresh: Emulator) -> None:
    wafv2 = fresh.client("wafv2")
    acl = web_acl(fresh, "orphan")
    alb = load_balancer(fresh, "deleted-alb")
    wafv2.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=alb)
    fresh.client("elbv2").delete_load_balancer(LoadBalancerArn=alb)
    with pytest.raises(ClientError) as gone:
        wafv2.get_web_acl_for_resource(ResourceArn=alb)
    assert error_code(gone) == "WAFNonexistentItemException"
    token = wafv2.get_web_acl(Name="orphan", Scope="REGIONAL", Id=acl["Id"])["LockToken"]
    wafv2.delete_web_acl(Name="orphan", Scope="REGIONAL", Id=acl["Id"], LockToken=token)


def test_waf_logs_to_aws_waf_logs_destinations_of_an_existing_web_acl(fresh: Emulator) -> None:
    wafv2 = fresh.client("wafv2")
    acl = web_acl(fresh, "logged")["ARN"]
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group"
    for destination in (f"{group}:app-logs", f"{group}:app-logs:*", "arn:aws:s3:::my-bucket"):
        with pytest.raises(ClientError) as named:
            wafv2.put_logging_configuration(
                LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [destination]}
            )
        assert error_code(named) == "WAFInvalidParameterException", destination
    with pytest.raises(ClientError) as no_acl:
        wafv2.put_logging_configuration(
            LoggingConfiguration={
                "ResourceArn": acl.replace("logged", "unknown"),
                "LogDestinationConfigs": [f"{group}:aws-waf-logs-x"],
            }
        )
    assert error_code(no_acl) == "WAFNonexistentItemException"

    for destination in (f"{group}:aws-waf-logs-x", "arn:aws:s3:::aws-waf-logs-bucket"):
        wafv2.put_logging_configuration(
            LoggingConfiguration={"ResourceArn": acl, "LogDestinationConfigs": [destination]}
        )
        logged = wafv2.get_logging_configuration(ResourceArn=acl)["LoggingConfiguration"]
        assert logged["LogDestinationConfigs"] == [destination]


NOTIFICATION = {
    "NotificationType": "ACTUAL",
    "ComparisonOperator": "GREATER_THAN",
    "Threshold": 80.0,
    "ThresholdType": "PERCENTAGE",
}
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:alarms"


def budget(fresh: Emulator, name: str, **settings: Any) -> None:
    fresh.client("budgets").create_budget(
        AccountId=ACCOUNT,
        Budget={
            "BudgetName": name,
            "BudgetLimit": {"Amount": "150", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
        NotificationsWithSubscribers=[
            {
                "Notification": NOTIFICATION,
                "Subscribers": [{"SubscriptionType": "SNS", "Address": TOPIC}],
            }
        ],
        **settings,
    )


def test_a_notifications_subscribers_are_described(fresh: Emulator) -> None:
    budgets = fresh.client("budgets")
    budget(fresh, "described")
    # The notification as DescribeNotificationsForBudget answers it (AWS adds its state).
    [notification] = budgets.describe_notifications_for_budget(
        AccountId=ACCOUNT, BudgetName="described"
    )["Notifications"]
    subscribers = budgets.describe_subscribers_for_notification(
        AccountId=ACCOUNT, BudgetName="described", Notification=notification
    )["Subscribers"]
    assert subscribers == [{"SubscriptionType": "SNS", "Address": TOPIC}]

    with pytest.raises(ClientError) as other:
        budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT,
            BudgetName="described",
            Notification={**NOTIFICATION, "Threshold": 90.0},
        )
    assert error_code(other) == "NotFoundException"
    with pytest.raises(ClientError) as no_budget:
        budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName="absent", Notification=NOTIFICATION
        )
    assert error_code(no_budget) == "NotFoundException"


def test_an_update_replaces_the_budget_and_keeps_its_notifications(fresh: Emulator) -> None:
    budgets = fresh.client("budgets")
    budget(fresh, "updated")
    budgets.update_budget(
        AccountId=ACCOUNT,
        NewBudget={
            "BudgetName": "updated",
            "BudgetLimit": {"Amount": "230", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
            "CostFilters": {"TagKeyValue": ["user:Environment$prod"]},
        },
    )
    updated = budgets.describe_budget(AccountId=ACCOUNT, BudgetName="updated")["Budget"]
    assert float(updated["BudgetLimit"]["Amount"]) == 230
    assert updated["CostFilters"] == {"TagKeyValue": ["user:Environment$prod"]}
    notifications = budgets.describe_notifications_for_budget(
        AccountId=ACCOUNT, BudgetName="updated"
    )["Notifications"]
    assert [n["Threshold"] for n in notifications] == [80.0]
    with pytest.raises(ClientError) as absent:
        budgets.update_budget(
            AccountId=ACCOUNT,
            NewBudget={
                "BudgetName": "absent",
                "BudgetLimit": {"Amount": "1", "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
            },
        )
    assert error_code(absent) == "NotFoundException"


def test_a_budget_keeps_its_tags_until_it_is_deleted(fresh: Emulator) -> None:
    budgets = fresh.client("budgets")
    budget(fresh, "tagged", ResourceTags=[{"Key": "Project", "Value": "sumapi"}])
    arn = f"arn:aws:budgets::{ACCOUNT}:budget/tagged"
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [
        {"Key": "Project", "Value": "sumapi"}
    ]
    budgets.tag_resource(ResourceARN=arn, ResourceTags=[{"Key": "Owner", "Value": "platform"}])
    budgets.untag_resource(ResourceARN=arn, ResourceTagKeys=["Project"])
    assert budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [
        {"Key": "Owner", "Value": "platform"}
    ]

    budgets.delete_budget(AccountId=ACCOUNT, BudgetName="tagged")
    with pytest.raises(ClientError) as gone:
        budgets.list_tags_for_resource(ResourceARN=arn)
    assert error_code(gone) == "NotFoundException"
