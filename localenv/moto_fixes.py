"""Fixes for moto 5.2.5 defects that break Terraform's idempotency on the emulator.

Each fix makes the emulator behave like AWS for one API call that the AWS provider
(3.39) uses on refresh. Without them a second `plan` against an unchanged stack shows
changes that AWS would never show: the fault is the emulator's, so it is fixed here,
where the emulator starts, and the idempotency check of the tests stays strict.
"""

from __future__ import annotations

import json
from typing import Any

from moto.applicationautoscaling import responses as aas_responses
from moto.ecs import responses as ecs_responses


def _describe_scaling_policies(self: Any) -> str:
    # Why: moto ignores the PolicyNames filter of DescribeScalingPolicies. The provider reads
    # one policy with PolicyNames=[name] and takes the first answer, so with two policies on
    # one ECS service (CPU and memory target tracking) each policy reads the other's settings
    # and re-plans forever. AWS filters by name; filter before paginating, as AWS does.
    names = set(self._get_param("PolicyNames") or [])
    backend = self.applicationautoscaling_backend
    _, policies = backend.describe_scaling_policies(
        service_namespace=self._get_param("ServiceNamespace"),
        resource_id=self._get_param("ResourceId"),
        scalable_dimension=self._get_param("ScalableDimension"),
        max_results=1_000_000,
        next_token=None,
    )
    if names:
        policies = [p for p in policies if p.policy_name in names]
    max_results = self._get_int_param("MaxResults") or 100
    start = int(self._get_param("NextToken") or 0)
    end = start + max_results
    page = policies[start:end]
    return json.dumps(
        {
            "ScalingPolicies": [aas_responses._build_policy(p) for p in page],
            "NextToken": str(end) if end < len(policies) else None,
        }
    )


# CreateService parameters moto drops, with the attribute its serializer reads them from
# (botocore.xform_name of the response member). UpdateService already keeps them.
_DROPPED_CREATE_SERVICE_PARAMETERS = {
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "enableECSManagedTags": "enable_ecs_managed_tags",
}
_original_create_service = ecs_responses.EC2ContainerServiceResponse.create_service


def _create_service(self: Any) -> Any:
    # Why: moto's CreateService ignores healthCheckGracePeriodSeconds and enableECSManagedTags,
    # so DescribeServices answers 0/false and every plan wants to update the service back to
    # 60/true. AWS keeps both; store them on moto's service object.
    result = _original_create_service(self)
    service = self.ecs_backend._get_service(
        self._get_param("cluster", "default"), self._get_param("serviceName")
    )
    for parameter, attribute in _DROPPED_CREATE_SERVICE_PARAMETERS.items():
        value = self._get_param(parameter)
        if value is not None:
            setattr(service, attribute, value)
    return result


def apply() -> list[str]:
    """Patch moto in this process; returns the names of the fixes applied."""
    aas_responses.ApplicationAutoScalingResponse.describe_scaling_policies = (  # type: ignore[method-assign]
        _describe_scaling_policies
    )
    ecs_responses.EC2ContainerServiceResponse.create_service = _create_service  # type: ignore[method-assign]
    return [
        "applicationautoscaling.DescribeScalingPolicies honours PolicyNames",
        "ecs.CreateService keeps healthCheckGracePeriodSeconds and enableECSManagedTags",
    ]
