"""Runs the ECS service of the emulated environment as ECS would, with podman on this machine.

    python -m localenv.ecs sync   # run what the service's task definition says (rolling update)
    python -m localenv.ecs status # the tasks running, their task definition and health
    python -m localenv.ecs stop   # stop every task (stopTimeout honoured) and the load balancer
    python -m localenv.ecs api-key  # a key of the emulator's throw-away secret (make smoke)

Nothing about the containers is known here: the service, its task definition, its target
group and its secrets are read back from the emulator, the images are pulled from the local
registry standing in for ECR. A task is one podman pod (one network namespace, as awsvpc).
A deploy starts the new tasks, waits for them to be healthy, registers them with the local
load balancer, deregisters the old ones, waits the target group's deregistration delay and
stops them with their stopTimeout -- ECS's rolling update with minimumHealthyPercent 100.
What is not emulated is listed in docs/infrastructure.md ("The local ECS runner").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]

from localenv.daemon import ROOT, DaemonError, http_answers
from localenv.loadbalancer import LoadBalancer
from localenv.registry import local_image_ref
from ops import units

LABEL = "sumapi.localecs"
HEALTH_POLL_SECONDS = 1.0
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
# Keys whose value is not a behaviour of the container here (accounting, the log route).
IGNORED = {"cpu", "memory", "memoryReservation", "logConfiguration", "ulimits", "systemControls"}


class RunnerError(RuntimeError):
    """One line: what the runner cannot do, and the fix."""


@dataclass(frozen=True)
class Target:
    """What the service says about its load balancer."""

    container: str
    port: int
    health_path: str
    deregistration_delay: int


@dataclass(frozen=True)
class Task:
    pod: str
    task_definition: str
    host_port: int
    containers: tuple[str, ...]  # in start order


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


class Runner:
    def __init__(self, live_dir: Path, terragrunt: str, registry: str, lb_port: int) -> None:
        self.live_dir = live_dir
        self.terragrunt = terragrunt
        self.registry = registry
        self.lb = LoadBalancer(lb_port)

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

    # -- reading the deployment back from the emulator -------------------------------------
    def service(self) -> dict[str, Any]:
        try:
            outputs = units.outputs(self.terragrunt, self.live_dir / "compute")
        except units.UnitError as error:
            raise RunnerError(f"{error}; apply it first (make deploy ENV=local)") from error
        services = self.ecs.describe_services(
            cluster=outputs["cluster_name"], services=[outputs["service_name"]]
        )["services"]
        if not services:
            raise RunnerError(f"service {outputs['service_name']} not found; make deploy ENV=local")
        return dict(services[0])

    def target(self, service: Mapping[str, Any]) -> Target:
        balancer = service["loadBalancers"][0]
        group_arn = balancer["targetGroupArn"]
        group = self.elbv2.describe_target_groups(TargetGroupArns=[group_arn])["TargetGroups"][0]
        attributes = self.elbv2.describe_target_group_attributes(TargetGroupArn=group_arn)
        delay = {a["Key"]: a["Value"] for a in attributes["Attributes"]}.get(
            "deregistration_delay.timeout_seconds", "300"
        )
        return Target(
            container=balancer["containerName"],
            port=int(balancer["containerPort"]),
            health_path=group.get("HealthCheckPath", "/"),
            deregistration_delay=int(delay),
        )

    def secret_value(self, value_from: str) -> str:
        # arn:aws:secretsmanager:region:account:secret:name[:json-key[:stage[:version]]]
        parts = value_from.split(":")
        secret_id, json_key = ":".join(parts[:7]), (parts[7] if len(parts) > 7 else "")
        value = str(self.secrets.get_secret_value(SecretId=secret_id)["SecretString"])
        return str(json.loads(value)[json_key]) if json_key else value

    # -- tasks ------------------------------------------------------------------------------
    def tasks(self) -> list[Task]:
        lines = podman(
            "pod",
            "ps",
            "--filter",
            f"label={LABEL}.lb={self.lb.port}",
            "--format",
            "{{.Name}}",
        ).splitlines()
        found = []
        for pod in filter(None, lines):
            labels = json.loads(podman("pod", "inspect", pod, "--format", "{{json .Labels}}"))
            found.append(
                Task(
                    pod,
                    labels[f"{LABEL}.taskdef"],
                    int(labels[f"{LABEL}.hostport"]),
                    tuple(labels[f"{LABEL}.containers"].split(",")),
                )
            )
        return found

    def run_task(self, definition: Mapping[str, Any], target: Target, index: int) -> Task:
        family, revision = definition["family"], definition["revision"]
        pod = f"{family}-{revision}-{index}-lb{self.lb.port}"
        podman("pod", "rm", "--force", "--ignore", pod)
        host_port = free_port()
        order = start_order(definition["containerDefinitions"])
        task = Task(
            pod, definition["taskDefinitionArn"], host_port, tuple(c["name"] for c in order)
        )
        podman(
            "pod",
            "create",
            "--name",
            pod,
            "--label",
            f"{LABEL}.lb={self.lb.port}",
            "--label",
            f"{LABEL}.taskdef={definition['taskDefinitionArn']}",
            "--label",
            f"{LABEL}.hostport={host_port}",
            "--label",
            f"{LABEL}.containers={','.join(task.containers)}",
            "--publish",
            f"127.0.0.1:{host_port}:{target.port}",
        )
        try:
            for volume in definition.get("volumes", []):
                podman(
                    "volume", "create", "--label", f"{LABEL}.pod={pod}", f"{pod}-{volume['name']}"
                )
            for container in order:
                self.wait_dependencies(pod, container)
                self.run_container(pod, container)
            for container in definition["containerDefinitions"]:
                if container.get("healthCheck"):
                    self.wait_healthy(pod, container)
            wait_answers(f"http://127.0.0.1:{host_port}{target.health_path}", 60)
        except (RunnerError, KeyboardInterrupt):
            self.stop_task(task)
            raise
        return task

    def run_container(self, pod: str, container: Mapping[str, Any]) -> None:
        name = container["name"]
        image = local_image_ref(container["image"], self.registry)
        podman("pull", "--quiet", "--tls-verify=false", image)
        args = ["run", "--detach", "--pod", pod, "--name", f"{pod}-{name}"]
        if container.get("user"):
            args += ["--user", container["user"]]
        if container.get("readonlyRootFilesystem"):
            # podman adds tmpfs on /run, /tmp, /var/tmp to --read-only; ECS does not.
            args += ["--read-only", "--read-only-tmpfs=false"]
        for mount in container.get("mountPoints", []):
            mode = "ro" if mount.get("readOnly") else "rw"
            args += ["--volume", f"{pod}-{mount['sourceVolume']}:{mount['containerPath']}:{mode}"]
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

    def wait_dependencies(self, pod: str, container: Mapping[str, Any]) -> None:
        for dependency in container.get("dependsOn", []):
            if dependency["condition"] == "HEALTHY":
                self.wait_healthy(pod, {"name": dependency["containerName"], "healthCheck": {}})

    def wait_healthy(self, pod: str, container: Mapping[str, Any]) -> None:
        """Polls the container's own health check until it passes (ECS: HEALTHY)."""
        check = container.get("healthCheck") or {}
        budget = check.get("startPeriod", 60) + check.get("interval", 30) * check.get("retries", 3)
        deadline = time.monotonic() + max(budget, 10)
        name = f"{pod}-{container['name']}"
        while time.monotonic() < deadline:
            state = podman("inspect", name, "--format", "{{.State.Status}}", check=False)
            if state in ("exited", "stopped"):
                logs = podman("logs", "--tail", "3", name, check=False).replace("\n", " | ")
                raise RunnerError(f"container {container['name']} exited at start: {logs}")
            if (
                subprocess.run(
                    [engine(), "healthcheck", "run", name], capture_output=True
                ).returncode
                == 0
            ):
                return
            time.sleep(HEALTH_POLL_SECONDS)
        raise RunnerError(
            f"container {container['name']} not healthy within {budget}s: podman logs {name}"
        )

    def stop_task(self, task: Task) -> dict[str, int]:
        """Stops the containers in reverse start order, each with its own stopTimeout."""
        exit_codes: dict[str, int] = {}
        for container in reversed(task.containers):
            name = f"{task.pod}-{container}"
            # Without -t, podman waits the container's --stop-timeout (the definition's).
            podman("stop", "--ignore", name, check=False)
            code = podman("inspect", name, "--format", "{{.State.ExitCode}}", check=False)
            exit_codes[container] = int(code) if code.lstrip("-").isdigit() else -1
        podman("pod", "stop", "--ignore", task.pod, check=False)
        podman("pod", "rm", "--force", "--ignore", task.pod, check=False)
        for volume in podman(
            "volume", "ls", "--quiet", "--filter", f"label={LABEL}.pod={task.pod}", check=False
        ).split():
            podman("volume", "rm", "--force", volume, check=False)
        return exit_codes

    def stop_tasks(self, tasks: Sequence[Task]) -> None:
        """Stops tasks in parallel, as ECS does: each waits its own stopTimeout at most."""
        with ThreadPoolExecutor(max_workers=max(1, len(tasks))) as pool:
            for task, codes in zip(tasks, pool.map(self.stop_task, tasks), strict=True):
                print(f"localecs: stopped {task.pod}, exit codes {codes}")

    # -- commands -------------------------------------------------------------------------
    def sync(self) -> str:
        service = self.service()
        arn = service["taskDefinition"]
        definition = self.ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        problems = unsupported(definition)
        if problems:
            raise RunnerError(
                f"task definition {arn.rsplit('/', 1)[-1]} uses {', '.join(problems)}, which the "
                "local runner does not emulate; remove it or deploy to AWS"
            )
        target = self.target(service)
        old = self.tasks()
        if old and all(task.task_definition == arn for task in old):
            self.lb.set_targets([task.host_port for task in old])
            return f"localecs: {len(old)} task(s) already run {arn.rsplit('/', 1)[-1]}"
        started = time.monotonic()
        new = [self.run_task(definition, target, i) for i in range(max(1, service["desiredCount"]))]
        self.lb.set_targets([task.host_port for task in new])
        ready = time.monotonic() - started
        if old:
            # Deregistered: no new request reaches the old tasks; in-flight ones finish.
            time.sleep(target.deregistration_delay)
            self.stop_tasks(old)
        return (
            f"localecs: {len(new)} task(s) of {arn.rsplit('/', 1)[-1]} healthy in {ready:.1f}s "
            f"behind {self.lb.url}"
        )

    def status(self) -> tuple[int, str]:
        tasks = self.tasks()
        if not tasks:
            return 3, "localecs: no task running"
        lines = [
            f"{t.pod} {t.task_definition.rsplit('/', 1)[-1]} 127.0.0.1:{t.host_port}" for t in tasks
        ]
        return 0, "\n".join([*lines, f"url={self.lb.url}"])

    def api_key(self) -> str:
        """A key the deployed gateway accepts (the emulator's throw-away secret): make smoke."""
        service = self.service()
        definition = self.ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
        for container in definition["taskDefinition"]["containerDefinitions"]:
            for secret in container.get("secrets", []):
                if secret["name"] == "API_KEYS":
                    entries = self.secret_value(secret["valueFrom"]).strip().split(",")
                    return entries[0].partition(":")[2]
        raise RunnerError("no container of the task definition gets API_KEYS")

    def stop(self) -> str:
        self.stop_tasks(self.tasks())
        return self.lb.stop()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_answers(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http_answers(url):
            return
        time.sleep(0.2)
    raise RunnerError(f"no answer from {url} within {timeout:.0f}s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localenv.ecs", description=__doc__)
    parser.add_argument("action", choices=["sync", "status", "stop", "api-key"])
    parser.add_argument("--live-dir", type=Path, default=ROOT / "live" / "local")
    parser.add_argument("--terragrunt", default="terragrunt")
    parser.add_argument(
        "--registry", default=f"127.0.0.1:{os.environ.get('REGISTRY_PORT', '5050')}"
    )
    parser.add_argument("--lb-port", type=int, default=int(os.environ.get("LB_PORT", "8088")))
    args = parser.parse_args(argv)
    try:
        runner = Runner(args.live_dir, args.terragrunt, args.registry, args.lb_port)
        if args.action == "sync":
            print(runner.sync())
        elif args.action == "stop":
            print(runner.stop())
        elif args.action == "api-key":
            if not runner.lb.url.startswith("http://127.0.0.1"):
                raise RunnerError("api-key is for the emulator only")
            print(runner.api_key())
        else:
            code, text = runner.status()
            print(text)
            return code
    except (RunnerError, DaemonError) as error:
        print(f"localecs: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
