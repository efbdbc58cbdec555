"""The emulator's fixes (localenv/moto_fixes.py) answer as AWS documents the calls.

Each runs against an emulator of its own, started by localenv.emulator like `make emulator`,
so the suite's deployment never sees what these create. The stack's apply, re-plan and
destroy (test_stack.py) prove that the provider is content with the answers; these pin the
answers themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from tests.harness.emulator import Emulator, private_emulator


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with private_emulator(tmp_path_factory.mktemp("fixes")) as started:
        yield started


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def ecs_service(fresh: Emulator, name: str, **settings: Any) -> dict[str, Any]:
    ecs = fresh.client("ecs")
    ecs.create_cluster(clusterName=name)
    ecs.register_task_definition(
        family=name, containerDefinitions=[{"name": "app", "image": "app:1", "memory": 512}]
    )
    service: dict[str, Any] = ecs.create_service(
        cluster=name, serviceName=name, taskDefinition=name, desiredCount=1, **settings
    )["service"]
    return service


def scalable_service(fresh: Emulator, name: str) -> dict[str, str]:
    """An ECS service to scale (moto checks that it exists): the scalable target's key."""
    ecs_service(fresh, name)
    return {
        "ServiceNamespace": "ecs",
        "ResourceId": f"service/{name}/{name}",
        "ScalableDimension": "ecs:service:DesiredCount",
    }


def test_an_alert_manager_definition_is_created_described_replaced_and_deleted(
    fresh: Emulator,
) -> None:
    amp = fresh.client("amp")
    workspace = amp.create_workspace(alias="fixes")["workspaceId"]
    with pytest.raises(ClientError) as absent:
        amp.describe_alert_manager_definition(workspaceId=workspace)
    assert error_code(absent) == "ResourceNotFoundException"

    created = amp.create_alert_manager_definition(workspaceId=workspace, data=b"first")
    assert created["status"]["statusCode"] == "ACTIVE"
    described = amp.describe_alert_manager_definition(workspaceId=workspace)
    assert bytes(described["alertManagerDefinition"]["data"]) == b"first"
    assert described["alertManagerDefinition"]["status"]["statusCode"] == "ACTIVE"
    with pytest.raises(ClientError) as twice:
        amp.create_alert_manager_definition(workspaceId=workspace, data=b"second")
    assert error_code(twice) == "ConflictException"

    amp.put_alert_manager_definition(workspaceId=workspace, data=b"second")
    described = amp.describe_alert_manager_definition(workspaceId=workspace)
    assert bytes(described["alertManagerDefinition"]["data"]) == b"second"

    amp.delete_alert_manager_definition(workspaceId=workspace)
    with pytest.raises(ClientError) as deleted:
        amp.describe_alert_manager_definition(workspaceId=workspace)
    assert error_code(deleted) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as elsewhere:
        amp.describe_alert_manager_definition(workspaceId="ws-00000000-0000-0000-0000-0000000000")
    assert error_code(elsewhere) == "ResourceNotFoundException"


def test_a_scalable_target_keeps_its_tags(fresh: Emulator) -> None:
    target = scalable_service(fresh, "tagged")
    autoscaling = fresh.client("application-autoscaling")
    arn = autoscaling.register_scalable_target(
        **target, MinCapacity=1, MaxCapacity=2, Tags={"Project": "sumapi"}
    )["ScalableTargetARN"]
    assert autoscaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Project": "sumapi"}

    autoscaling.tag_resource(ResourceARN=arn, Tags={"Owner": "platform"})
    autoscaling.untag_resource(ResourceARN=arn, TagKeys=["Project"])
    assert autoscaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Owner": "platform"}

    autoscaling.deregister_scalable_target(**target)
    with pytest.raises(ClientError) as gone:
        autoscaling.list_tags_for_resource(ResourceARN=arn)
    assert error_code(gone) == "ResourceNotFoundException"


def test_scaling_policies_are_described_by_name(fresh: Emulator) -> None:
    target = scalable_service(fresh, "scaled")
    autoscaling = fresh.client("application-autoscaling")
    autoscaling.register_scalable_target(**target, MinCapacity=1, MaxCapacity=2)
    for name, metric in (
        ("cpu", "ECSServiceAverageCPUUtilization"),
        ("mem", "ECSServiceAverageMemoryUtilization"),
    ):
        autoscaling.put_scaling_policy(
            **target,
            PolicyName=name,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 50.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
            },
        )
    [policy] = autoscaling.describe_scaling_policies(ServiceNamespace="ecs", PolicyNames=["mem"])[
        "ScalingPolicies"
    ]
    assert policy["PolicyName"] == "mem"


def test_a_created_service_keeps_what_it_was_created_with(fresh: Emulator) -> None:
    deployment = {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "alarms": {"alarmNames": ["a", "b"], "enable": True, "rollback": True},
    }
    ecs_service(
        fresh,
        "kept",
        deploymentConfiguration=deployment,
        availabilityZoneRebalancing="DISABLED",
        healthCheckGracePeriodSeconds=60,
        enableECSManagedTags=True,
    )
    [service] = fresh.client("ecs").describe_services(cluster="kept", services=["kept"])["services"]
    assert service["deploymentConfiguration"] == deployment
    assert service["availabilityZoneRebalancing"] == "DISABLED"
    assert (service["healthCheckGracePeriodSeconds"], service["enableECSManagedTags"]) == (60, True)
