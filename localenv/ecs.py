"""The local ECS agent: ECS's service scheduler and container agent for the emulator, with podman.

    python -m localenv.ecs start   # the agent in the background, idempotent (make local-tasks)
    python -m localenv.ecs run     # the agent in the foreground (what start runs)
    python -m localenv.ecs status  # the tasks running, their task definition and port
    python -m localenv.ecs stop    # the agent, every task (stopTimeout honoured), the load balancer

Nothing about the containers is known here: every second the agent reads each ECS service of
the emulator (DescribeServices: its deployments, desired count, deployment configuration, load
balancer), the task definitions, the target group (health check, deregistration delay) and the
secrets, runs what they say, and reports its tasks back to the emulator's ECS
(localenv/ecs_emulation.py), which keeps the deployments' counts, rollout state, circuit
breaker, rollback and events as ECS does. Images are pulled from the repository URIs the task
definition names (the local registry, localenv/ecr_emulation.py) with the emulator's ECR token.

A task is one podman pod (one network namespace, as awsvpc). The scheduler keeps the primary
deployment at its desired count (maximumPercent above it while another deployment still runs),
and once the primary's tasks are healthy it deregisters the other deployments' tasks, waits the
target group's deregistration delay and stops them with their stopTimeout (a rolling update).
After start it keeps watching: an essential container that exits stops its task, a target that
fails the target group's health check is taken out of the load balancer's routing and, after
the service's health check grace period, its task is stopped; a stopped task is replaced.
What is not emulated is listed in docs/infrastructure.md ("The local ECS runner").
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import boto3  # type: ignore[import-untyped]

from localenv.daemon import ROOT, Daemon, DaemonError, http_answers
from localenv.loadbalancer import HealthCheck, LoadBalancer, TargetHealth, routed
from localenv.loopback import free_port

LABEL = "sumapi.localecs"
TICK_SECONDS = 1.0
HEALTH_POLL_SECONDS = 1.0
REPORT_PATH = "/moto-api/localenv/ecs/tasks"
# Stopped tasks are reported this long (the emulator counts each once), then forgotten.
STOPPED_MEMORY_SECONDS = 600.0
# Keys of a container definition this runner honours; any other key with a value stops it.
HONOURED = {
    "name",
    "image",
    "essential",
    "user",
    "readonlyRootFilesystem",
    "portMappings",
    "environment",
    "secrets",
    "mountPoints",
    "dependsOn",
    "healthCheck",
    "stopTimeout",
    "logConfiguration",
    "command",
    "entryPoint",
    "workingDirectory",
    "cpu",
    "memory",
    "memoryReservation",
    "volumesFrom",
    "environmentFiles",
    "ulimits",
    "systemControls",
}


class RunnerError(RuntimeError):
    """One line: what the runner cannot do, and the fix."""


@dataclass(frozen=True)
class Target:
    """What the service says about its load balancer, and its target group's settings."""

    group_arn: str
    container: str
    port: int
    check: HealthCheck
    deregistration_delay: float


@dataclass
class LocalTask:
    """One task of a service: a pod, and where the agent is with it."""

    id: str
    service_arn: str
    deployment: str
    task_definition: str
    pod: str
    host_port: int
    containers: tuple[str, ...]  # in start order
    essential: frozenset[str]
    state: str = "PENDING"  # PENDING, RUNNING, DRAINING, STOPPING, STOPPED
    running_since: float = 0.0
    drain_until: float = 0.0
    stopped_at: float = 0.0
    failed: bool = False
    reason: str = ""
    stop_when_started: bool = False
    health: TargetHealth | None = None
    work: Future[Any] | None = field(default=None, repr=False)

    def report(self) -> dict[str, Any]:
        healthy = self.state == "RUNNING" and (
            self.health is None or self.health.state == "healthy"
        )
        # Counted as running once its target is healthy: ECS counts it when its containers run
        # and completes the rollout when its targets are healthy, and `aws ecs wait
        # services-stable` (ops/wait-deployed) may look in between; here both happen together.
        state = {"PENDING": "PENDING", "STOPPED": "STOPPED"}.get(self.state, "RUNNING")
        if self.state == "RUNNING" and not healthy:
            state = "PENDING"
        return {
            "id": self.id,
            "deployment": self.deployment,
            "state": state,
            "healthy": healthy,
            "failed": self.failed,
            "reason": self.reason,
        }


def engine() -> str:
    """Pods are podman's: the runner uses it even where Docker built and pushed the images."""
    return str(ROOT / "localenv" / "podman")


def podman(*args: str, check: bool = True) -> str:
    result = subprocess.run([engine(), *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        detail = [line for line in result.stderr.splitlines() if "systemd" not in line]
        raise RunnerError(f"podman {args[0]} failed: {(detail or ['no output'])[-1]}")
    return result.stdout.strip()


def unsupported(definition: Mapping[str, Any]) -> list[str]:
    """Every feature of the task definition the runner would silently get wrong."""
    problems = []
    for volume in definition.get("volumes", []):
        extra = sorted(k for k, v in volume.items() if k != "name" and v)
        if extra:
            problems.append(f"volumes[{volume['name']}].{extra[0]}")
    for container in definition["containerDefinitions"]:
        name = container["name"]
        problems += [
            f"{name}.{key}"
            for key, value in sorted(container.items())
            if value and key not in HONOURED
        ]
        for key in ("volumesFrom", "environmentFiles"):
            if container.get(key):
                problems.append(f"{name}.{key}")
        for dependency in container.get("dependsOn", []):
            if dependency["condition"] not in ("START", "HEALTHY"):
                problems.append(f"{name}.dependsOn condition {dependency['condition']}")
        log_driver = (container.get("logConfiguration") or {}).get("logDriver", "awslogs")
        if log_driver != "awslogs":
            problems.append(f"{name}.logConfiguration.logDriver {log_driver}")
    return problems


def start_order(containers: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Containers in dependsOn order (ECS stops them in the reverse order)."""
    by_name = {c["name"]: c for c in containers}
    ordered: list[Mapping[str, Any]] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise RunnerError(f"dependsOn cycle: {' -> '.join((*path, name))}")
        if any(c["name"] == name for c in ordered):
            return
        for dependency in by_name[name].get("dependsOn", []):
            visit(dependency["containerName"], (*path, name))
        ordered.append(by_name[name])

    for container in containers:
        visit(container["name"], ())
    return ordered


def log(line: str) -> None:
    print(f"localecs: {line}", flush=True)


class Agent:
    """The scheduler and the container agent of every ECS service the emulator holds."""

    def __init__(self, lb_port: int) -> None:
        self.lb = LoadBalancer(lb_port)
        self.tasks: dict[str, LocalTask] = {}
        self.pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="localecs")
        self.definitions: dict[str, dict[str, Any]] = {}
        self.refused: set[str] = set()  # deployments reported as not runnable here
        self.routed: list[int] | None = None
        self.stopping = threading.Event()

    # Created on first use: stopping tasks needs no AWS endpoint (the emulator may be gone).
    @cached_property
    def ecs(self) -> Any:
        return boto3.client("ecs")

    @cached_property
    def elbv2(self) -> Any:
        return boto3.client("elbv2")

    @cached_property
    def secrets(self) -> Any:
        return boto3.client("secretsmanager")

    @cached_property
    def ecr(self) -> Any:
        return boto3.client("ecr")

    # -- reading the emulator -----------------------------------------------------------
    def services(self) -> list[dict[str, Any]]:
        found = []
        for cluster in self.ecs.list_clusters()["clusterArns"]:
            arns = self.ecs.list_services(cluster=cluster)["serviceArns"]
            for start in range(0, len(arns), 10):
                answer = self.ecs.describe_services(
                    cluster=cluster, services=arns[start : start + 10]
                )
                found += [s for s in answer["services"] if s.get("status") == "ACTIVE"]
        return found

    def definition(self, arn: str) -> dict[str, Any]:
        if arn not in self.definitions:
            answer = self.ecs.describe_task_definition(taskDefinition=arn)
            self.definitions[arn] = answer["taskDefinition"]
        return self.definitions[arn]

    def target(self, service: Mapping[str, Any]) -> Target | None:
        if not service.get("loadBalancers"):
            return None
        balancer = service["loadBalancers"][0]
        group_arn = balancer["targetGroupArn"]
        group = self.elbv2.describe_target_groups(TargetGroupArns=[group_arn])["TargetGroups"][0]
        attributes = self.elbv2.describe_target_group_attributes(TargetGroupArn=group_arn)
        delay = {a["Key"]: a["Value"] for a in attributes["Attributes"]}.get(
            "deregistration_delay.timeout_seconds", "300"
        )
        return Target(
            group_arn=group_arn,
            container=balancer["containerName"],
            port=int(balancer["containerPort"]),
            check=HealthCheck.of(group),
            deregistration_delay=float(delay),
        )

    def secret_value(self, value_from: str) -> str:
        # arn:aws:secretsmanager:region:account:secret:name[:json-key[:stage[:version]]]
        parts = value_from.split(":")
        secret_id, json_key = ":".join(parts[:7]), (parts[7] if len(parts) > 7 else "")
        value = str(self.secrets.get_secret_value(SecretId=secret_id)["SecretString"])
        return str(json.loads(value)[json_key]) if json_key else value

    def registry_credentials(self) -> str:
        """The ECR token, as the ECS agent gets one with the task execution role."""
        data = self.ecr.get_authorization_token()["authorizationData"][0]
        return base64.b64decode(data["authorizationToken"]).decode()

    # -- running a task (a worker thread) -------------------------------------------------
    def launch(self, task: LocalTask, definition: Mapping[str, Any], target: Target | None) -> None:
        podman("pod", "rm", "--force", "--ignore", task.pod)
        publish = ["--publish", f"127.0.0.1:{task.host_port}:{target.port}"] if target else []
        labels = {
            "lb": str(self.lb.port),
            "task": task.id,
            "taskdef": task.task_definition,
            "hostport": str(task.host_port),
        }
        podman("pod", "create", "--name", task.pod, *label_args(labels), *publish)
        for volume in definition.get("volumes", []):
            podman(
                "volume",
                "create",
                "--label",
                f"{LABEL}.pod={task.pod}",
                f"{task.pod}-{volume['name']}",
            )
        credentials = self.registry_credentials()
        order = start_order(definition["containerDefinitions"])
        by_name = {c["name"]: c for c in order}
        for container in order:
            for dependency in container.get("dependsOn", []):
                if dependency["condition"] == "HEALTHY":
                    self.wait_healthy(task.pod, by_name[dependency["containerName"]])
            self.run_container(task, container, credentials, labels)
        for container in order:
            if container.get("healthCheck"):
                self.wait_healthy(task.pod, container)
        if target is not None:
            wait_answers(f"http://127.0.0.1:{task.host_port}{target.check.path}", 60)

    def run_container(
        self,
        task: LocalTask,
        container: Mapping[str, Any],
        credentials: str,
        labels: Mapping[str, str],
    ) -> None:
        name = container["name"]
        image = container["image"]
        pulled = subprocess.run(
            [engine(), "pull", "--quiet", "--tls-verify=false", "--creds", credentials, image],
            capture_output=True,
            text=True,
            check=False,
        )
        if pulled.returncode != 0:
            detail = (pulled.stderr.strip().splitlines() or ["no output"])[-1]
            raise RunnerError(f"CannotPullContainerError: {image}: {detail}")
        args = ["run", "--detach", "--pod", task.pod, "--name", f"{task.pod}-{name}"]
        args += label_args({**labels, "container": name})
        if container.get("user"):
            args += ["--user", container["user"]]
        if container.get("readonlyRootFilesystem"):
            # podman adds tmpfs on /run, /tmp, /var/tmp to --read-only; ECS does not.
            args += ["--read-only", "--read-only-tmpfs=false"]
        for mount in container.get("mountPoints", []):
            mode = "ro" if mount.get("readOnly") else "rw"
            args += [
                "--volume",
                f"{task.pod}-{mount['sourceVolume']}:{mount['containerPath']}:{mode}",
            ]
        if container.get("stopTimeout"):
            args += ["--stop-timeout", str(container["stopTimeout"])]
        check = container.get("healthCheck")
        if check:
            command = check["command"]
            health = command[1] if command[0] == "CMD-SHELL" else json.dumps(command[1:])
            args += [
                "--health-cmd",
                health,
                "--health-interval",
                f"{check.get('interval', 30)}s",
                "--health-timeout",
                f"{check.get('timeout', 5)}s",
                "--health-retries",
                str(check.get("retries", 3)),
                "--health-start-period",
                f"{check.get('startPeriod', 0)}s",
            ]
        if container.get("workingDirectory"):
            args += ["--workdir", container["workingDirectory"]]
        if container.get("entryPoint"):
            args += ["--entrypoint", json.dumps(container["entryPoint"])]
        env = {e["name"]: e["value"] for e in container.get("environment", [])}
        env |= {s["name"]: self.secret_value(s["valueFrom"]) for s in container.get("secrets", [])}
        # Secrets go through a private file, never the command line (ps would show them).
        with tempfile.NamedTemporaryFile("w", prefix="localecs-", suffix=".env") as env_file:
            for key, value in env.items():
                if "\n" in value:
                    raise RunnerError(f"{name}: environment value of {key} has a line break")
                env_file.write(f"{key}={value}\n")
            env_file.flush()
            podman(*args, "--env-file", env_file.name, image, *container.get("command", []))

    def wait_healthy(self, pod: str, container: Mapping[str, Any]) -> None:
        """Polls the container's own health check until it passes (ECS: HEALTHY)."""
        check = container.get("healthCheck") or {}
        budget = check.get("startPeriod", 60) + check.get("interval", 30) * check.get("retries", 3)
        deadline = time.monotonic() + max(budget, 10)
        name = f"{pod}-{container['name']}"
        while time.monotonic() < deadline and not self.stopping.is_set():
            state = podman("inspect", name, "--format", "{{.State.Status}}", check=False)
            if state in ("exited", "stopped"):
                logs = podman("logs", "--tail", "3", name, check=False).replace("\n", " | ")
                raise RunnerError(
                    f"Essential container in task exited: {container['name']}: {logs}"
                )
            healthy = subprocess.run([engine(), "healthcheck", "run", name], capture_output=True)
            if healthy.returncode == 0:
                return
            time.sleep(HEALTH_POLL_SECONDS)
        raise RunnerError(
            f"Task failed container health checks: {container['name']} not healthy within {budget}s"
        )

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> None:
        self.stop_leftovers()
        self.lb.set_targets([])
        self.routed = []
        log(f"agent running, load balancer {self.lb.url}")
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except Exception as error:  # the emulator restarting, a podman hiccup: next tick
                log(f"tick failed: {type(error).__name__}: {error}")
            self.stopping.wait(max(0.0, TICK_SECONDS - (time.monotonic() - started)))

    def tick(self) -> None:
        now = time.monotonic()
        self.collect_work()
        services = {s["serviceArn"]: s for s in self.services()}
        targets = {arn: self.target(service) for arn, service in services.items()}
        for arn, service in services.items():
            self.schedule(service, targets[arn])
        for task in self.tasks.values():
            if task.service_arn not in services and task.state in ("PENDING", "RUNNING"):
                self.drain(task, 0.0, "service deleted")
        self.watch_containers()
        self.check_targets(services, targets, now)
        self.route()
        for task in list(self.tasks.values()):
            if task.state == "DRAINING" and now >= task.drain_until:
                self.begin_stop(task)
        for service in services.values():
            self.report(service)
        for task_id, task in list(self.tasks.items()):
            if task.state == "STOPPED" and now - task.stopped_at > STOPPED_MEMORY_SECONDS:
                del self.tasks[task_id]

    def collect_work(self) -> None:
        """Finished launches and stops move their task on."""
        for task in self.tasks.values():
            if task.work is None or not task.work.done():
                continue
            error = task.work.exception()
            task.work = None
            if task.state == "PENDING":
                if task.stop_when_started:
                    self.begin_stop(task)
                elif error is not None:
                    log(f"task {task.id} ({task.pod}) failed to start: {error}")
                    self.begin_stop(task, failed=True, reason=str(error))
                else:
                    task.state, task.running_since = "RUNNING", time.monotonic()
                    log(f"task {task.id} ({task.pod}) running on 127.0.0.1:{task.host_port}")
            elif task.state == "STOPPING":
                task.state, task.stopped_at = "STOPPED", time.monotonic()

    def schedule(self, service: Mapping[str, Any], target: Target | None) -> None:
        """Keeps the primary deployment at its desired count; drains the others once the
        primary's tasks are healthy, as a rolling update with minimumHealthyPercent 100."""
        arn = service["serviceArn"]
        mine = [t for t in self.tasks.values() if t.service_arn == arn]
        primary = next((d for d in service["deployments"] if d["status"] == "PRIMARY"), None)
        if primary is None:
            return
        desired = int(primary["desiredCount"])
        definition = self.definition(primary["taskDefinition"])
        problems = unsupported(definition)
        if problems:
            self.refuse(service, primary, problems)
            return
        # A rollback's deployment (a failed one is still listed) runs the definition of tasks
        # still running: they are its. A forced new deployment of the same definition is not a
        # rollback: its tasks are new ones (they read the secrets again).
        rollback = any(d["rolloutState"] == "FAILED" for d in service["deployments"])
        for task in mine if rollback else []:
            adoptable = task.state in ("PENDING", "RUNNING") and not task.stop_when_started
            if adoptable and task.task_definition == primary["taskDefinition"]:
                task.deployment = primary["id"]
        active = [t for t in mine if t.state in ("PENDING", "RUNNING") and not t.stop_when_started]
        ours = [t for t in active if t.deployment == primary["id"]]
        if primary["rolloutState"] != "FAILED":
            ceiling = (
                desired
                * int((service.get("deploymentConfiguration") or {}).get("maximumPercent", 200))
                // 100
            )
            for _ in range(min(desired - len(ours), max(0, ceiling - len(active)))):
                self.start_task(service, primary, definition, target)
        for extra in sorted(ours, key=lambda t: t.running_since)[desired:]:
            self.drain(extra, target.deregistration_delay if target else 0.0, "scaled in")
        healthy = [t for t in ours if t.report()["healthy"]]
        if len(healthy) >= desired:
            for task in active:
                if task.deployment != primary["id"]:
                    self.drain(task, target.deregistration_delay if target else 0.0, "replaced")

    def refuse(
        self, service: Mapping[str, Any], primary: Mapping[str, Any], problems: list[str]
    ) -> None:
        if primary["id"] in self.refused:
            return
        self.refused.add(primary["id"])
        reason = (
            f"task definition {primary['taskDefinition'].rsplit('/', 1)[-1]} uses "
            f"{', '.join(problems)}, which the local ECS runner does not emulate; remove it or "
            "deploy to AWS"
        )
        log(reason)
        self.post(service, {"fail": {"deployment": primary["id"], "reason": reason}})

    def start_task(
        self,
        service: Mapping[str, Any],
        deployment: Mapping[str, Any],
        definition: Mapping[str, Any],
        target: Target | None,
    ) -> None:
        task_id = uuid.uuid4().hex
        order = start_order(definition["containerDefinitions"])
        task = LocalTask(
            id=task_id,
            service_arn=service["serviceArn"],
            deployment=deployment["id"],
            task_definition=definition["taskDefinitionArn"],
            pod=f"{definition['family']}-{definition['revision']}-{task_id[:8]}-lb{self.lb.port}",
            host_port=free_port(),
            containers=tuple(c["name"] for c in order),
            essential=frozenset(c["name"] for c in order if c.get("essential", True)),
        )
        self.tasks[task_id] = task
        log(f"task {task_id} ({task.pod}) starting for {deployment['id']}")
        task.work = self.pool.submit(self.launch, task, definition, target)

    def drain(self, task: LocalTask, delay: float, why: str) -> None:
        """Deregistered now (no new request reaches it), stopped after the delay."""
        if task.state == "PENDING":
            # ECS stops a task that is still starting at once: its launch fails, then it stops.
            if not task.stop_when_started:
                task.stop_when_started = True
                self.pool.submit(podman, "pod", "rm", "--force", "--ignore", task.pod, check=False)
            return
        if task.state != "RUNNING":
            return
        log(f"task {task.id} ({task.pod}) draining for {delay:.0f}s: {why}")
        task.state, task.drain_until, task.health = "DRAINING", time.monotonic() + delay, None

    def begin_stop(self, task: LocalTask, failed: bool = False, reason: str = "") -> None:
        if task.state in ("STOPPING", "STOPPED"):
            return
        task.failed, task.reason = failed, reason
        task.state, task.health = "STOPPING", None
        task.work = self.pool.submit(stop_task, task.pod, task.containers, reason or "stopped")

    def watch_containers(self) -> None:
        """An essential container that exits stops its task (ECS: the task's desired status
        turns STOPPED, the other containers get SIGTERM and their stopTimeout)."""
        listed = podman(
            "ps",
            "--all",
            "--filter",
            f"label={LABEL}.lb={self.lb.port}",
            "--format",
            "json",
            check=False,
        )
        for container in json.loads(listed or "[]"):
            labels = container.get("Labels") or {}
            task = self.tasks.get(labels.get(f"{LABEL}.task", ""))
            name = labels.get(f"{LABEL}.container", "")
            if task is None or task.state != "RUNNING" or name not in task.essential:
                continue
            if container.get("State") in ("exited", "stopped"):
                code = container.get("ExitCode")
                reason = f"Essential container in task exited: {name} exit code {code}"
                log(f"task {task.id} ({task.pod}): {reason}")
                self.begin_stop(task, failed=True, reason=reason)

    def check_targets(
        self,
        services: Mapping[str, Mapping[str, Any]],
        targets: Mapping[str, Target | None],
        now: float,
    ) -> None:
        """Target group health checks; a task whose target turned unhealthy is stopped once the
        service's health check grace period since its start has passed."""
        for task in self.tasks.values():
            service, target = services.get(task.service_arn), targets.get(task.service_arn)
            if task.state != "RUNNING" or service is None or target is None:
                continue
            if task.health is None:
                task.health = TargetHealth(target.check)
                group = target.group_arn.rsplit("/", 2)[-2]
                log(f"task {task.id} ({task.pod}) registered in {group}")
            health = task.health
            if health.due(now):
                health.probing = True
                self.pool.submit(probe, health, task.host_port)
            grace = float(service.get("healthCheckGracePeriodSeconds") or 0)
            if health.state == "unhealthy" and now - task.running_since >= grace:
                reason = f"Task failed ELB health checks in (target-group {target.group_arn})"
                log(f"task {task.id} ({task.pod}): {reason}")
                self.begin_stop(task, failed=True, reason=reason)

    def route(self) -> None:
        registered = {
            t.host_port: t.health for t in self.tasks.values() if t.state == "RUNNING" and t.health
        }
        ports = routed(registered)
        if ports != self.routed:
            self.lb.set_targets(ports)
            log(f"load balancer routes to {ports or 'no target'}")
            self.routed = ports

    def report(self, service: Mapping[str, Any]) -> None:
        tasks = [t.report() for t in self.tasks.values() if t.service_arn == service["serviceArn"]]
        self.post(service, {"tasks": tasks})

    def post(self, service: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        cluster = service["clusterArn"].rsplit("/", 1)[-1]
        payload = {
            "region": self.ecs.meta.region_name,
            "cluster": cluster,
            "service": service["serviceName"],
            **body,
        }
        request = urllib.request.Request(  # noqa: S310 (the emulator's URL)
            self.ecs.meta.endpoint_url.rstrip("/") + REPORT_PATH,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    def stop_leftovers(self) -> None:
        """Pods of an agent that died: nobody watches them, so they go."""
        leftovers = task_pods(self.lb.port)
        if leftovers:
            log(f"stopping {len(leftovers)} task(s) no agent watches")
            stop_pods(leftovers)


def probe(health: TargetHealth, port: int) -> None:
    health.record(health.check.probe(port), time.monotonic())


def label_args(labels: Mapping[str, str]) -> list[str]:
    return [arg for key, value in labels.items() for arg in ("--label", f"{LABEL}.{key}={value}")]


def task_pods(lb_port: int) -> list[tuple[str, tuple[str, ...]]]:
    """(pod, its containers in start order) of every task behind this load balancer."""
    listed = podman(
        "ps", "--all", "--filter", f"label={LABEL}.lb={lb_port}", "--format", "json", check=False
    )
    pods: dict[str, list[tuple[float, str]]] = {}
    for container in json.loads(listed or "[]"):
        labels = container.get("Labels") or {}
        name = labels.get(f"{LABEL}.container")
        if name:
            # Containers are named <pod>-<container> (run_container).
            pod = container["Names"][0].removesuffix(f"-{name}")
            pods.setdefault(pod, []).append((float(container.get("Created") or 0), name))
    names = podman(
        "pod", "ps", "--filter", f"label={LABEL}.lb={lb_port}", "--format", "{{.Name}}", check=False
    ).split()
    return [(pod, tuple(name for _, name in sorted(pods.get(pod, [])))) for pod in names]


def stop_task(pod: str, containers: Sequence[str], reason: str) -> dict[str, int]:
    """Stops the containers in reverse start order, each with its own stopTimeout."""
    exit_codes: dict[str, int] = {}
    for container in reversed(containers):
        name = f"{pod}-{container}"
        # Without -t, podman waits the container's --stop-timeout (the definition's).
        podman("stop", "--ignore", name, check=False)
        code = podman("inspect", name, "--format", "{{.State.ExitCode}}", check=False)
        exit_codes[container] = int(code) if code.lstrip("-").isdigit() else -1
    podman("pod", "stop", "--ignore", pod, check=False)
    podman("pod", "rm", "--force", "--ignore", pod, check=False)
    for volume in podman(
        "volume", "ls", "--quiet", "--filter", f"label={LABEL}.pod={pod}", check=False
    ).split():
        podman("volume", "rm", "--force", volume, check=False)
    log(f"stopped {pod} ({reason}), exit codes {json.dumps(exit_codes)}")
    return exit_codes


def stop_pods(pods: Sequence[tuple[str, tuple[str, ...]]]) -> None:
    """Stops tasks in parallel, as ECS does: each waits its own stopTimeout at most."""
    with ThreadPoolExecutor(max_workers=max(1, len(pods))) as pool:
        list(pool.map(lambda p: stop_task(p[0], p[1], "agent stopped"), pods))


def wait_answers(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http_answers(url):
            return
        time.sleep(0.2)
    raise RunnerError(f"no answer from {url} within {timeout:.0f}s")


def agent_daemon(lb_port: int) -> Daemon:
    # Ready when its load balancer answers (503 until a task is registered).
    return Daemon("localecs", lb_port, f"http://127.0.0.1:{lb_port}/")


def start(lb_port: int) -> str:
    daemon = agent_daemon(lb_port)
    if daemon.pid() is None:
        LoadBalancer(lb_port).stop()  # one an agent that died left behind
    return daemon.start([sys.executable, "-m", "localenv.ecs", "run", "--lb-port", str(lb_port)])


def stop(lb_port: int) -> str:
    """The agent first (nothing replaces what is stopped next), then every task, then the
    load balancer."""
    messages = [agent_daemon(lb_port).stop()]
    pods = task_pods(lb_port)
    stop_pods(pods)
    messages.append(f"localecs: {len(pods)} task(s) stopped")
    messages.append(LoadBalancer(lb_port).stop())
    return "\n".join(messages)


def status(lb_port: int) -> tuple[int, str]:
    pods = task_pods(lb_port)
    if agent_daemon(lb_port).pid() is None:
        return 3, f"localecs: no agent on load balancer port {lb_port} ({len(pods)} task(s))"
    lines = [f"{pod} {','.join(containers)}" for pod, containers in pods]
    return 0, "\n".join([*lines, f"url=http://127.0.0.1:{lb_port}"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localenv.ecs", description=__doc__)
    parser.add_argument("action", choices=["start", "run", "status", "stop"])
    parser.add_argument("--lb-port", type=int, default=int(os.environ.get("LB_PORT", "8088")))
    args = parser.parse_args(argv)
    try:
        if args.action == "run":
            agent = Agent(args.lb_port)
            signal.signal(signal.SIGTERM, lambda *_: agent.stopping.set())
            agent.run()
            # Launches in flight are abandoned: their pods are stopped by whoever stops us.
            os._exit(0)
        elif args.action == "start":
            print(start(args.lb_port))
        elif args.action == "stop":
            print(stop(args.lb_port))
        else:
            code, text = status(args.lb_port)
            print(text)
            return code
    except (RunnerError, DaemonError) as error:
        print(f"localecs: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
