"""Fixes for moto 5.2.5's AWS WAF (wafv2) where it answers otherwise than AWS documents.

The waf unit (modules/waf) creates a regional web ACL, associates it with compute's ALB and
logs it to CloudWatch Logs. moto has the calls, but it drops part of the web ACL, associates
any string as a resource, and lets a web ACL in use be deleted. Each fix makes the answer the
one the WAF API reference gives (https://docs.aws.amazon.com/waf/latest/APIReference/), so the
re-plan and the destroy of the tests stay strict. docs/infrastructure.md lists them.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.elbv2 import models as elbv2_models
from moto.wafv2 import models as wafv2_models
from moto.wafv2 import responses as wafv2_responses
from moto.wafv2.exceptions import WAFNonexistentItemException

_Backend = wafv2_models.WAFV2Backend
_Response = wafv2_responses.WAFV2Response

# What WAF requires of a logging destination's name (PutLoggingConfiguration).
LOG_DESTINATION_PREFIX = "aws-waf-logs-"


class WAFAssociatedItemError(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__(
            "WAFAssociatedItemException",
            "AWS WAF couldn't perform the operation because your resource is being used by "
            "another resource or it's associated with another resource.",
        )


class WAFInvalidParameterError(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("WAFInvalidParameterException", message)


# --- The web ACL's data protection ----------------------------------------------------------

_original_create_web_acl = _Response.create_web_acl
_original_update_web_acl = _Response.update_web_acl
_original_get_web_acl = _Response.get_web_acl
_original_get_web_acl_for_resource = _Response.get_web_acl_for_resource


def _with_data_protection(web_acl: dict[str, Any], acl: Any) -> dict[str, Any]:
    protection = getattr(acl, "_sumapi_data_protection", None)
    if protection is not None:
        web_acl["DataProtectionConfig"] = protection
    return web_acl


def _create_web_acl(self: Any) -> Any:
    # Why: moto drops DataProtectionConfig (CreateWebACL, UpdateWebACL) and GetWebACL answers
    # without it, so every plan wants to add it again. AWS keeps it as given and returns it in
    # the WebACL (API_WebACL.html); UpdateWebACL replaces it (an update without one removes it).
    status, headers, body = _original_create_web_acl(self)
    arn = json.loads(body)["Summary"]["ARN"]
    self.wafv2_backend.wacls[arn]._sumapi_data_protection = json.loads(self.body).get(
        "DataProtectionConfig"
    )
    return status, headers, body


def _update_web_acl(self: Any) -> Any:
    result = _original_update_web_acl(self)
    request = json.loads(self.body)
    acl = self.wafv2_backend.get_web_acl(None, request.get("Name"), request.get("Id"))
    acl._sumapi_data_protection = request.get("DataProtectionConfig")
    return result


def _get_web_acl(self: Any) -> Any:
    status, headers, body = _original_get_web_acl(self)
    answer = json.loads(body)
    acl = self.wafv2_backend.wacls[answer["WebACL"]["ARN"]]
    _with_data_protection(answer["WebACL"], acl)
    return status, headers, json.dumps(answer)


# --- Associations ----------------------------------------------------------------------------


def _check_resource(resource_arn: str) -> None:
    """An ELB ARN must name an existing Application Load Balancer; other resource types (API
    Gateway stages) keep moto's own handling."""
    parts = resource_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "elasticloadbalancing":
        return
    region, account = parts[3], parts[4]
    balancer = elbv2_models.elbv2_backends[account][region].load_balancers.get(resource_arn)
    if balancer is None:
        raise WAFNonexistentItemException()
    if balancer.type != "application":
        raise WAFInvalidParameterError(
            f"A web ACL protects an Application Load Balancer, not a {balancer.type} one: "
            f"{resource_arn}"
        )


def _destination_name(destination: str) -> str:
    """The name in a log group, bucket or delivery stream ARN."""
    return destination.removesuffix(":*").rsplit(":", 1)[-1].rsplit("/", 1)[-1]


_original_associate_web_acl = _Backend.associate_web_acl
_original_delete_web_acl = _Backend.delete_web_acl
_original_put_logging_configuration = _Backend.put_logging_configuration


def _associate_web_acl(self: Any, web_acl_arn: str, resource_arn: str) -> None:
    # Why: moto associates any string, and a resource with every web ACL it was ever associated
    # with (GetWebACLForResource then answers the first). AWS associates existing resources of
    # the types WAF protects (an Application Load Balancer, not a network one), one web ACL per
    # resource: associating another one replaces it (API_AssociateWebACL.html).
    if web_acl_arn not in self.wacls:
        raise WAFNonexistentItemException()
    _check_resource(resource_arn)
    for acl in self.wacls.values():
        acl.associated_resources = [r for r in acl.associated_resources if r != resource_arn]
    _original_associate_web_acl(self, web_acl_arn, resource_arn)


def _get_web_acl_for_resource(self: Any) -> Any:
    # Why: AWS answers WAFNonexistentItemException for a resource that does not exist (a
    # deleted ALB), not "no web ACL"; and the WebACL it returns is the whole one.
    resource_arn = json.loads(self.body)["ResourceArn"]
    _check_resource(resource_arn)
    acl = self.wafv2_backend.get_web_acl_for_resource(resource_arn)
    answer = {"WebACL": _with_data_protection(acl.to_dict(), acl) if acl else None}
    return 200, {"Content-Type": "application/json"}, json.dumps(answer)


def _delete_web_acl(self: Any, name: str, scope: str, _id: str, lock_token: str) -> None:
    # Why: moto deletes a web ACL that still protects a resource. AWS refuses with
    # WAFAssociatedItemException until it is disassociated (API_DeleteWebACL.html), which is
    # what makes the order of a destroy matter; its logging configuration goes with it.
    acl = next((a for a in self.wacls.values() if a.name == name and a.id == _id), None)
    if acl is not None and acl.associated_resources:
        raise WAFAssociatedItemError()
    _original_delete_web_acl(self, name, scope, _id, lock_token)
    if acl is not None:
        self.logging_configurations.pop(acl.arn, None)


_original_delete_load_balancer = elbv2_models.ELBv2Backend.delete_load_balancer


def _delete_load_balancer(self: Any, arn: str) -> None:
    # Why: deleting a protected ALB removes its association on AWS; moto kept the ARN in the
    # web ACL's associated resources.
    _original_delete_load_balancer(self, arn)
    for acl in wafv2_models.wafv2_backends[self.account_id][self.region_name].wacls.values():
        acl.associated_resources = [r for r in acl.associated_resources if r != arn]


def _put_logging_configuration(
    self: Any,
    arn: str,
    log_destination_configs: list[str],
    redacted_fields: Any,
    managed_gy_firewall_manager: bool,
    logging_filter: Any,
) -> Any:
    # Why: moto logs any web ACL ARN to any destination. AWS requires an existing web ACL and a
    # destination whose name starts with aws-waf-logs- (API_LoggingConfiguration.html).
    if arn not in self.wacls:
        raise WAFNonexistentItemException()
    for destination in log_destination_configs:
        if not _destination_name(destination).startswith(LOG_DESTINATION_PREFIX):
            raise WAFInvalidParameterError(
                f"The logging destination's name must start with {LOG_DESTINATION_PREFIX}: "
                f"{destination}"
            )
    return _original_put_logging_configuration(
        self,
        arn,
        log_destination_configs,
        redacted_fields,
        managed_gy_firewall_manager,
        logging_filter,
    )


def apply() -> list[str]:
    """Patch moto in this process; returns the names of the fixes applied."""
    _Response.create_web_acl = _create_web_acl  # type: ignore[method-assign]
    _Response.update_web_acl = _update_web_acl  # type: ignore[method-assign]
    _Response.get_web_acl = _get_web_acl  # type: ignore[method-assign]
    _Response.get_web_acl_for_resource = _get_web_acl_for_resource  # type: ignore[method-assign]
    _Backend.associate_web_acl = _associate_web_acl  # type: ignore[method-assign]
    _Backend.delete_web_acl = _delete_web_acl  # type: ignore[method-assign]
    _Backend.put_logging_configuration = _put_logging_configuration  # type: ignore[method-assign]
    elbv2_models.ELBv2Backend.delete_load_balancer = _delete_load_balancer  # type: ignore[method-assign]
    return [
        "wafv2 web ACLs keep their DataProtectionConfig",
        "wafv2.AssociateWebACL takes an existing Application Load Balancer, one web ACL per "
        "resource; GetWebACLForResource of a deleted one is WAFNonexistentItemException; "
        "deleting an ALB removes its association",
        "wafv2.DeleteWebACL refuses a web ACL still associated (WAFAssociatedItemException)",
        "wafv2.PutLoggingConfiguration takes an existing web ACL and aws-waf-logs- destinations",
    ]
