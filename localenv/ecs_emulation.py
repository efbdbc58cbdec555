"""ECS's control plane as far as a deployment goes, in the emulator (moto 5.2.5).

moto stores an ECS service but keeps the deployment CreateService made forever: UpdateService
with a new task definition starts none, and nothing ever rolls out, fails or rolls back. With
this module (registered by localenv/emulator_server.py) the ECS API answers as ECS does around
a deployment, so the production tools (ops/wait-deployed: `aws ecs wait services-stable`,
DescribeServices' PRIMARY deployment and its rolloutState) run unchanged against it:

- CreateService: one PRIMARY deployment, rolloutState IN_PROGRESS, no task running yet; the
  deploymentConfiguration (circuit breaker, minimum/maximum percent) is kept, which moto drops.
- UpdateService with another task definition, or forceNewDeployment: a new PRIMARY deployment,
  IN_PROGRESS; the previous one becomes ACTIVE. desiredCount changes the primary's count and no
  longer pretends that many tasks run.
- The local ECS agent (localenv/ecs.py), which runs the tasks, reports them here
  (POST /moto-api/localenv/ecs/tasks, see `report`). From its reports: each deployment's
  running, pending and failed counts and the service's; the circuit breaker (failure threshold
  0.5 x desired count, at least 3, at most 200; failures count until a task of the deployment
  is healthy, as on ECS); its rollback to the last deployment that completed; completion once
  the primary's tasks are healthy and no other deployment has a task left; and the service's
  events, newest first, in ECS's wording.

The agent decides what runs; this module only keeps ECS's record of it, under one lock shared
with UpdateService.
"""

from __future__ import annotations

import json
import math
import os
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from moto.core.utils import utcnow
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.elbv2 import models as elbv2_models
from moto.moto_api._internal import urls as moto_api_urls

REPORT_PATH = "/moto-api/localenv/ecs/tasks"
MAX_EVENTS = 100
LOCK = threading.RLock()
# Per deployment id: the task ids already counted as failed, and whether a task was healthy.
_counted: dict[str, set[str]] = {}
_healthy_seen: set[str] = set()
# Per service ARN: the task definition of the deployment that completed last (rollback target),
# its deployment id, and whether the service is in a steady state (for the event).
_last_completed: dict[str, tuple[str, str]] = {}
_steady: set[str] = set()


def _service_label(service: Any) -> str:
    return f"(service {service.name})"


def _event(service: Any, message: str) -> None:
    entry = {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message}
    service.events = [entry, *service.events][:MAX_EVENTS]


def _new_deployment(service: Any, task_definition: str) -> dict[str, Any]:
    now = utcnow()
    deployment_id = f"ecs-svc/{uuid.uuid4().int % 10**19:019d}"
    return {
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": service.launch_type,
        "platformVersion": service.platform_version,
        "platformFamily": "EC2" if service.launch_type == "EC2" else "FARGATE",
        "networkConfiguration": service.network_configuration or None,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
    }


def _start_deployment(service: Any, task_definition: str) -> dict[str, Any]:
    for deployment in service.deployments:
        if deployment["status"] == "PRIMARY":
            deployment["status"] = "ACTIVE"
            deployment["updatedAt"] = utcnow()
    deployment = _new_deployment(service, task_definition)
    service.deployments = [deployment, *service.deployments]
    service.task_definition = task_definition
    _steady.discard(service.arn)
    return deployment


def _primary(service: Any) -> dict[str, Any] | None:
    return next((d for d in service.deployments if d["status"] == "PRIMARY"), None)


def _task_definition_arn(backend: Any, name: str) -> str:
    return str(backend.describe_task_definition(name).arn)


# --- the API calls: CreateService, UpdateService --------------------------------------------

# moto's methods as apply() found them (localenv.moto_fixes may have wrapped CreateService).
_originals: dict[str, Callable[..., Any]] = {}


def _create_service(self: Any) -> Any:
    with LOCK:
        result = _originals["create_service"](self)
        service = self.ecs_backend._get_service(
            self._get_param("cluster", "default"), self._get_param("serviceName")
        )
        # moto drops deploymentConfiguration (percents, circuit breaker, rollback alarms); ECS
        # keeps it and fills in what the request leaves out (a replica service's rolling update).
        service.deployment_configuration = {
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            **(self._get_param("deploymentConfiguration") or {}),
        }
        # moto counts the desired tasks as pending at once; ECS counts tasks that exist.
        service.running_count = service.pending_count = 0
        service.deployments = []
        if service.task_definition:
            _start_deployment(service, service.task_definition)
        return result


def _update_service(self: Any, properties: dict[str, Any]) -> Any:
    with LOCK:
        force = bool(properties.pop("force_new_deployment", False))
        requested = properties.get("task_definition")
        service = self._get_service(
            properties.get("cluster", "default"), properties["service"].split("/")[-1]
        )
        before = service.task_definition
        counts = service.running_count, service.pending_count
        configuration = dict(service.deployment_configuration or {})
        result = _originals["update_service"](self, properties)
        # moto replaces the configuration with the request's; ECS changes the parts it names
        # (the provider sends the circuit breaker only when it changes).
        result.deployment_configuration = {
            **configuration,
            **(result.deployment_configuration or {}),
        }
        # moto sets runningCount to a new desiredCount: only the agent's tasks count.
        result.running_count, result.pending_count = counts
        if requested:
            result.task_definition = _task_definition_arn(self, requested)
        if result.task_definition != before or force:
            _start_deployment(result, result.task_definition)
        primary = _primary(result)
        if primary is not None:
            primary["desiredCount"] = result.desired_count
        return result


def _create_load_balancer(original: Callable[..., Any]) -> Callable[..., Any]:
    address = f"127.0.0.1:{os.environ.get('LB_PORT', '8088')}"

    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        balancer = original(self, *args, **kwargs)
        # The ALB's DNS name is where clients reach it: here the local load balancer's address.
        balancer.dns_name = address
        return balancer

    return create


# --- the agent's reports ---------------------------------------------------------------------


def _threshold(desired: int) -> int:
    return min(200, max(3, math.ceil(0.5 * desired)))


def report(service: Any, tasks: Sequence[Mapping[str, Any]]) -> None:
    """Applies the agent's view of the service's tasks: every task it runs or ran lately, each
    {"id", "deployment", "state": PENDING|RUNNING|STOPPED, "healthy", "failed", "reason"}."""
    label = _service_label(service)
    by_deployment: dict[str, list[Mapping[str, Any]]] = {}
    for task in tasks:
        by_deployment.setdefault(str(task["deployment"]), []).append(task)
    for deployment in service.deployments:
        mine = by_deployment.get(deployment["id"], [])
        running = sum(1 for t in mine if t["state"] == "RUNNING")
        pending = sum(1 for t in mine if t["state"] == "PENDING")
        counted = _counted.setdefault(deployment["id"], set())
        if any(t["healthy"] for t in mine):
            _healthy_seen.add(deployment["id"])
        for task in mine:
            if task["state"] == "STOPPED" and task["id"] not in counted:
                counted.add(task["id"])
                _event(service, f"{label} has stopped 1 running tasks: (task {task['id']}).")
                if task["failed"]:
                    _event(service, f"{label} (task {task['id']}) failed: {task['reason']}")
                    # ECS: once a task of the deployment ran healthy, failures no longer count.
                    if deployment["id"] not in _healthy_seen:
                        deployment["failedTasks"] += 1
        if (running, pending) != (deployment["runningCount"], deployment["pendingCount"]):
            deployment["runningCount"], deployment["pendingCount"] = running, pending
            deployment["updatedAt"] = utcnow()
    service.running_count = sum(d["runningCount"] for d in service.deployments)
    service.pending_count = sum(d["pendingCount"] for d in service.deployments)

    primary = _primary(service)
    if primary is None:
        return
    healthy = sum(1 for t in by_deployment.get(primary["id"], []) if t["healthy"])
    others_left = any(
        t["state"] != "STOPPED"
        for d in service.deployments
        if d is not primary
        for t in by_deployment.get(d["id"], [])
    )
    breaker = (service.deployment_configuration or {}).get("deploymentCircuitBreaker") or {}
    if primary["rolloutState"] == "IN_PROGRESS":
        if breaker.get("enable") and primary["failedTasks"] >= _threshold(primary["desiredCount"]):
            _trip(service, primary, bool(breaker.get("rollback")), "tasks failed to start.")
        elif healthy >= primary["desiredCount"] and not others_left:
            _complete(service, primary)
    elif primary["rolloutState"] == "COMPLETED":
        steady = healthy >= primary["desiredCount"] and not others_left
        if steady and service.arn not in _steady:
            _event(service, f"{label} has reached a steady state.")
            _steady.add(service.arn)
        elif not steady:
            _steady.discard(service.arn)


def fail_deployment(service: Any, deployment_id: str, reason: str) -> None:
    """The agent cannot run a deployment at all (a task definition it does not emulate)."""
    primary = _primary(service)
    if primary is not None and (primary["id"], primary["rolloutState"]) == (
        deployment_id,
        "IN_PROGRESS",
    ):
        breaker = (service.deployment_configuration or {}).get("deploymentCircuitBreaker")
        _trip(service, primary, bool((breaker or {}).get("rollback")), reason)


def _trip(service: Any, failed: dict[str, Any], rollback: bool, reason: str) -> None:
    label = _service_label(service)
    failed["rolloutState"] = "FAILED"
    failed["rolloutStateReason"] = f"ECS deployment circuit breaker: {reason}"
    failed["updatedAt"] = utcnow()
    _event(service, f"{label} (deployment {failed['id']}) deployment failed: {reason}")
    previous = _last_completed.get(service.arn)
    if rollback and previous is not None and previous[0] != failed["taskDefinition"]:
        task_definition, previous_id = previous
        _event(service, f"{label} rolling back to deployment {previous_id}.")
        _start_deployment(service, task_definition)


def _complete(service: Any, primary: dict[str, Any]) -> None:
    label = _service_label(service)
    primary["rolloutState"] = "COMPLETED"
    primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
    primary["updatedAt"] = utcnow()
    service.deployments = [primary]
    _last_completed[service.arn] = (primary["taskDefinition"], primary["id"])
    _event(service, f"{label} (deployment {primary['id']}) deployment completed.")
    _event(service, f"{label} has reached a steady state.")
    _steady.add(service.arn)


def _report_endpoint(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    body = json.loads(request.get_data(as_text=True) or "{}")
    backend = ecs_models.ecs_backends[body.get("account", "123456789012")][body["region"]]
    with LOCK:
        try:
            service = backend._get_service(body["cluster"], body["service"])
        except Exception as error:  # moto's not-found exceptions vary by call
            return 404, {}, json.dumps({"message": f"no service: {error}"})
        if body.get("fail"):
            fail_deployment(service, body["fail"]["deployment"], body["fail"]["reason"])
        report(service, body.get("tasks", []))
    return 200, {"Content-Type": "application/json"}, json.dumps({"ok": True})


def apply() -> list[str]:
    """Patch moto in this process; returns what was changed."""
    _originals["create_service"] = ecs_responses.EC2ContainerServiceResponse.create_service
    ecs_responses.EC2ContainerServiceResponse.create_service = _create_service  # type: ignore[method-assign]
    _originals["update_service"] = ecs_models.EC2ContainerServiceBackend.update_service
    ecs_models.EC2ContainerServiceBackend.update_service = _update_service  # type: ignore[method-assign,assignment]
    backend = elbv2_models.ELBv2Backend
    backend.create_load_balancer = _create_load_balancer(backend.create_load_balancer)  # type: ignore[method-assign]
    moto_api_urls.url_paths["{0}" + REPORT_PATH + "$"] = _report_endpoint
    return [
        "ecs: deployments roll out, fail and roll back as ECS's (reported by localenv/ecs.py)",
        "elbv2: an ALB's DNS name is the local load balancer's address (LB_PORT)",
    ]
