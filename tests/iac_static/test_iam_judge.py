"""The IAM judge's mapping and evaluation, on requests botocore prepares (nothing is sent).

The rehearsal (tests/containers) judges every call of the pipeline's jobs with the same code;
these pin how a request becomes IAM authorisations, fast, for `make test-fast`.
"""

from __future__ import annotations

import json
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from tests.harness.iam import (
    Operations,
    Request,
    RolePolicies,
    UnmappedError,
    judge,
    prepared_call,
    requests_for,
)

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sumapi-test-github-deploy"
PRINCIPAL = {"type": "AssumedRole", "arn": ROLE, "session": "deploy-1-1", "account": ACCOUNT}


def client(service: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id="ASIATEST",
        aws_secret_access_key="x",  # noqa: S106 - never sent: the request is only prepared
        aws_session_token="t",  # noqa: S106
        region_name="us-east-1",
    )
    return session.client(service, endpoint_url="http://127.0.0.1:9")


def authorisations(service: str, operation: str, **params: Any) -> list[Request]:
    call = prepared_call(client(service), operation, PRINCIPAL, **params)
    identified = Operations().identify(call)
    assert identified is not None, call
    return requests_for(identified, "us-east-1", ACCOUNT)


def test_an_operation_authorised_under_another_name_and_its_object() -> None:
    [request] = authorisations("s3", "head_object", Bucket="sumapi-test-tfstate", Key="live/a/b")
    assert (request.action, request.resource) == (
        "s3:GetObject",
        "arn:aws:s3:::sumapi-test-tfstate/live/a/b",
    )


def test_a_list_parameter_names_each_resource_and_condition_keys_come_from_parameters() -> None:
    requests = authorisations("ecs", "describe_services", cluster="c", services=["a", "b"])
    assert [r.resource for r in requests] == [
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/c/a",
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/c/b",
    ]
    [listing] = authorisations(
        "s3", "list_objects_v2", Bucket="sumapi-test-tfstate", Prefix="live/"
    )
    assert (listing.action, dict(listing.context)["s3:prefix"]) == ("s3:ListBucket", "live/")
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/sumapi-test-workload-boundary"
    [create] = authorisations(
        "iam",
        "create_role",
        RoleName="sumapi-test-exec-1",
        AssumeRolePolicyDocument="{}",
        PermissionsBoundary=boundary,
    )
    assert dict(create.context)["iam:PermissionsBoundary"] == boundary


def test_passing_a_role_is_authorised_too() -> None:
    execution = f"arn:aws:iam::{ACCOUNT}:role/sumapi-test-exec-1"
    requests = authorisations(
        "ecs",
        "register_task_definition",
        family="sumapi-test",
        executionRoleArn=execution,
        containerDefinitions=[{"name": "app", "image": "x"}],
    )
    assert [r.action for r in requests] == ["ecs:RegisterTaskDefinition", "iam:PassRole"]
    assert requests[1].resource == execution
    assert dict(requests[1].context)["iam:PassedToService"] == "ecs-tasks.amazonaws.com"


def test_cloudwatch_is_named_as_iam_names_it_whatever_the_wire_protocol() -> None:
    [request] = authorisations("cloudwatch", "describe_alarms", AlarmNames=["sumapi-test-5xx"])
    assert request.action == "cloudwatch:DescribeAlarms"


def test_an_arn_label_sent_as_one_segment_keeps_its_slashes() -> None:
    """The path is matched as sent: aps's /tags/{resourceArn} carries the ARN's slash as %2F."""
    workspace = f"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/ws-1"
    call = prepared_call(client("amp"), "list_tags_for_resource", PRINCIPAL, resourceArn=workspace)
    assert "%2F" in call["path"]
    [request] = requests_for(
        Operations().identify(call) or pytest.fail(str(call)), "us-east-1", ACCOUNT
    )
    assert (request.action, request.resource) == ("aps:ListTagsForResource", workspace)


def test_a_call_the_judge_cannot_map_is_not_guessed() -> None:
    call = prepared_call(client("ecs"), "list_clusters", PRINCIPAL)
    call["headers"]["x-amz-target"] = "AmazonEC2ContainerServiceV20141113.NoSuchOperation"
    assert Operations().identify(call) is None
    judgement = judge([call], lambda role: RolePolicies(role, {}, {}))
    assert [d.decision for d in judgement.denials] == ["Unmapped"]
    identified = Operations().identify(prepared_call(client("ecs"), "list_clusters", PRINCIPAL))
    assert identified is not None
    with pytest.raises(UnmappedError):
        requests_for(identified.__class__("ecs", "NoSuchOperation", {}), "us-east-1", ACCOUNT)


def test_the_evaluator_applies_the_boundary_and_a_deny_with_not_resource() -> None:
    allow_all_s3 = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        ],
    }
    boundary = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "s3:DeleteObject*",
                "NotResource": [
                    "arn:aws:s3:::sumapi-test-tfstate/live/test/compute/terraform.tfstate.tflock"
                ],
            },
        ],
    }
    policies = RolePolicies(ROLE, {"own": allow_all_s3}, {"boundary": boundary})
    s3 = client("s3")
    calls = [
        prepared_call(
            s3,
            "delete_object",
            PRINCIPAL,
            Bucket="sumapi-test-tfstate",
            Key="live/test/compute/terraform.tfstate.tflock",
        ),
        prepared_call(
            s3,
            "delete_object",
            PRINCIPAL,
            Bucket="sumapi-test-tfstate",
            Key="live/test/compute/terraform.tfstate",
        ),
    ]
    judgement = judge(calls, lambda role: policies)
    assert judgement.calls == 2
    [denial] = judgement.denials
    assert (denial.call, denial.decision) == (1, "ExplicitlyDenied")
    assert denial.request.resource.endswith("/compute/terraform.tfstate")
    assert denial.detail.startswith("permissionBoundary:"), json.dumps(denial.detail)


def test_a_budget_is_read_and_changed_under_budgets_own_two_actions() -> None:
    budget = f"arn:aws:budgets::{ACCOUNT}:budget/sumapi-test-monthly"
    [view] = authorisations(
        "budgets", "describe_budget", AccountId=ACCOUNT, BudgetName="sumapi-test-monthly"
    )
    [change] = authorisations(
        "budgets",
        "delete_notification",
        AccountId=ACCOUNT,
        BudgetName="sumapi-test-monthly",
        Notification={
            "NotificationType": "ACTUAL",
            "ComparisonOperator": "GREATER_THAN",
            "Threshold": 80,
        },
    )
    assert (view.action, view.resource) == ("budgets:ViewBudget", budget)
    assert (change.action, change.resource) == ("budgets:ModifyBudget", budget)


def test_a_web_acl_is_named_with_its_scope_as_its_arn_spells_it() -> None:
    [request] = authorisations(
        "wafv2",
        "get_web_acl",
        Name="sumapi-test",
        Scope="REGIONAL",
        Id="0123abcd-0000-1111-2222-333344445555",
    )
    assert (request.action, request.resource) == (
        "wafv2:GetWebACL",
        f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/sumapi-test/"
        "0123abcd-0000-1111-2222-333344445555",
    )
