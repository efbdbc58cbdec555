"""Fixes for moto 5.2.5 where it answers the AWS provider (5.100) otherwise than AWS does.

Each fix makes the emulator behave like AWS for API calls the provider makes: a call moto
lacks (the provider then retries until it times out, or fails), or an answer that differs
from AWS's (a second `plan` against an unchanged stack then shows changes that AWS would
never show). The fault is the emulator's, so it is fixed here, where the emulator starts,
and the checks of the tests stay strict. docs/infrastructure.md lists them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.amp import exceptions as amp_exceptions
from moto.amp import responses as amp_responses
from moto.amp import urls as amp_urls
from moto.applicationautoscaling import responses as aas_responses
from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time
from moto.ecs import responses as ecs_responses
from moto.utilities.tagging_service import TaggingService


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
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
}
_original_create_service = ecs_responses.EC2ContainerServiceResponse.create_service


def _create_service(self: Any) -> Any:
    # Why: moto's CreateService ignores healthCheckGracePeriodSeconds and enableECSManagedTags,
    # so DescribeServices answers 0/false and every plan wants to update the service back to
    # 60/true; provider 5.x also sends availabilityZoneRebalancing, which moto drops the same
    # way (every plan sets "DISABLED" again). AWS keeps all of them; store them on moto's
    # service object. (moto drops deploymentConfiguration too: localenv.ecs_emulation keeps
    # it, with the defaults ECS fills in, since its deployments act on it.)
    result = _original_create_service(self)
    service = self.ecs_backend._get_service(
        self._get_param("cluster", "default"), self._get_param("serviceName")
    )
    for parameter, attribute in _DROPPED_CREATE_SERVICE_PARAMETERS.items():
        value = self._get_param(parameter)
        if value is not None:
            setattr(service, attribute, value)
    return result


def _scalable_target_tags(self: Any) -> TaggingService:
    """The tags of the scalable targets, kept on moto's backend (a reset drops both)."""
    backend = self.applicationautoscaling_backend
    tags: TaggingService | None = getattr(backend, "_sumapi_tags", None)
    if tags is None:
        tags = TaggingService()
        backend._sumapi_tags = tags
    return tags


def _scalable_target_arns(self: Any) -> set[str]:
    backend = self.applicationautoscaling_backend
    return {t.arn for by_id in backend.targets.values() for t in by_id.values()}


def _known_arn(self: Any) -> str:
    arn = str(self._get_param("ResourceARN"))
    if arn not in _scalable_target_arns(self):
        raise JsonRESTError("ResourceNotFoundException", f"No scalable target {arn}")
    return arn


_AAS = aas_responses.ApplicationAutoScalingResponse
_original_register_scalable_target = _AAS.register_scalable_target
_original_deregister_scalable_target = _AAS.deregister_scalable_target


def _register_scalable_target(self: Any) -> str:
    # Why: provider 5.x tags scalable targets (Tags of RegisterScalableTarget, default_tags
    # included) and reads them back with ListTagsForResource, which moto does not implement:
    # its 500 made the create of aws_appautoscaling_target retry until it timed out. AWS
    # keeps the tags given at registration; so does this.
    result: str = _original_register_scalable_target(self)
    tags = self._get_param("Tags") or {}
    if tags:
        arn = json.loads(result)["ScalableTargetARN"]
        _scalable_target_tags(self).tag_resource(
            arn, TaggingService.convert_dict_to_tags_input(tags)
        )
    return result


def _deregister_scalable_target(self: Any) -> str:
    before = _scalable_target_arns(self)
    result: str = _original_deregister_scalable_target(self)
    for arn in before - _scalable_target_arns(self):
        _scalable_target_tags(self).delete_all_tags_for_resource(arn)
    return result


def _list_tags_for_resource(self: Any) -> str:
    arn = _known_arn(self)
    return json.dumps({"Tags": _scalable_target_tags(self).get_tag_dict_for_resource(arn)})


def _tag_resource(self: Any) -> str:
    arn = _known_arn(self)
    tags = TaggingService.convert_dict_to_tags_input(self._get_param("Tags") or {})
    _scalable_target_tags(self).tag_resource(arn, tags)
    return json.dumps({})


def _untag_resource(self: Any) -> str:
    arn = _known_arn(self)
    _scalable_target_tags(self).untag_resource_using_names(arn, self._get_param("TagKeys") or [])
    return json.dumps({})


# Amazon Managed Service for Prometheus: moto has workspaces and rule groups namespaces but no
# alert manager definition. Provider 5.x manages it (aws_prometheus_alert_manager_definition,
# the observability module): Create, Describe (until ACTIVE), Put and Delete on
# /workspaces/<id>/alertmanager/definition, one definition per workspace, as AWS documents
# them. AWS validates the definition's YAML and applies it asynchronously (CREATING, then
# ACTIVE); here it is stored as given and ACTIVE at once: what the definition routes where is
# proven on AWS only.
_ALERT_MANAGER_PATH = "{0}/workspaces/(?P<workspace_id>[^/]+)/alertmanager/definition$"
_AMP = amp_responses.PrometheusServiceResponse


class _AlertManagerDefinitionNotFoundError(amp_exceptions.ResourceNotFoundException):
    code = 404

    def __init__(self, workspace_id: str) -> None:
        super().__init__(
            "Alert manager definition not found",
            resource_id=workspace_id,
            resource_type="AWS::APS::AlertManagerDefinition",
        )


class _AlertManagerDefinitionExistsError(JsonRESTError):
    code = 409

    def __init__(self, workspace_id: str) -> None:
        super().__init__(
            "ConflictException", f"An alert manager definition already exists in {workspace_id}"
        )


def _alert_manager_workspace(self: Any) -> Any:
    workspace_id = unquote(self.path).split("/")[-3]  # /workspaces/<id>/alertmanager/definition
    return self.amp_backend.describe_workspace(workspace_id)


def _alert_manager_definition(self: Any) -> tuple[Any, dict[str, Any]]:
    workspace = _alert_manager_workspace(self)
    definition: dict[str, Any] | None = getattr(workspace, "_sumapi_alert_manager", None)
    if definition is None:
        raise _AlertManagerDefinitionNotFoundError(workspace.workspace_id)
    return workspace, definition


def _create_alert_manager_definition(self: Any) -> str:
    workspace = _alert_manager_workspace(self)
    if getattr(workspace, "_sumapi_alert_manager", None) is not None:
        raise _AlertManagerDefinitionExistsError(workspace.workspace_id)
    now = unix_time()
    workspace._sumapi_alert_manager = {
        "data": json.loads(self.body)["data"],  # base64, as sent and as described
        "createdAt": now,
        "modifiedAt": now,
        "status": {"statusCode": "ACTIVE"},
    }
    return json.dumps({"status": {"statusCode": "ACTIVE"}})


def _describe_alert_manager_definition(self: Any) -> str:
    _, definition = _alert_manager_definition(self)
    return json.dumps({"alertManagerDefinition": definition})


def _put_alert_manager_definition(self: Any) -> str:
    _, definition = _alert_manager_definition(self)
    definition.update(data=json.loads(self.body)["data"], modifiedAt=unix_time())
    return json.dumps({"status": {"statusCode": "ACTIVE"}})


def _delete_alert_manager_definition(self: Any) -> str:
    workspace, _ = _alert_manager_definition(self)
    workspace._sumapi_alert_manager = None
    return json.dumps({})


def apply() -> list[str]:
    """Patch moto in this process; returns the names of the fixes applied."""
    aas_responses.ApplicationAutoScalingResponse.describe_scaling_policies = (  # type: ignore[method-assign]
        _describe_scaling_policies
    )
    ecs_responses.EC2ContainerServiceResponse.create_service = _create_service  # type: ignore[method-assign]
    _AAS.register_scalable_target = _register_scalable_target  # type: ignore[method-assign]
    _AAS.deregister_scalable_target = _deregister_scalable_target  # type: ignore[method-assign]
    _AAS.list_tags_for_resource = _list_tags_for_resource  # type: ignore[attr-defined]
    _AAS.tag_resource = _tag_resource  # type: ignore[attr-defined]
    _AAS.untag_resource = _untag_resource  # type: ignore[attr-defined]
    amp_urls.url_paths[_ALERT_MANAGER_PATH] = _AMP.dispatch
    _AMP.create_alert_manager_definition = _create_alert_manager_definition  # type: ignore[attr-defined]
    _AMP.describe_alert_manager_definition = _describe_alert_manager_definition  # type: ignore[attr-defined]
    _AMP.put_alert_manager_definition = _put_alert_manager_definition  # type: ignore[attr-defined]
    _AMP.delete_alert_manager_definition = _delete_alert_manager_definition  # type: ignore[attr-defined]
    return [
        "applicationautoscaling.DescribeScalingPolicies honours PolicyNames",
        "ecs.CreateService keeps healthCheckGracePeriodSeconds, enableECSManagedTags, "
        "deploymentConfiguration and availabilityZoneRebalancing",
        "applicationautoscaling keeps scalable target tags (ListTagsForResource, TagResource, "
        "UntagResource)",
        "amp alert manager definitions (Create, Describe, Put, DeleteAlertManagerDefinition)",
    ]
