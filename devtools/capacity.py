"""`make capacity`: the highest rate one task serves within the latency SLO, per task size.

For each task size the task definition is the compute module's: live/local/compute planned
with that `task_size` against a private, empty emulator (as plan.txt is), so every setting the
module derives from the size, SUMAPI_WORKERS included, is the module's own. Its containers run
as one pod from this checkout's images, with the task's limits as Fargate sets them: one
pod-level cgroup for the task's cpu and memory (localenv.ecs.TaskLimits).

An open-loop generator (vegeta: requests at a fixed rate, whatever the answers' latency; a
closed-loop one such as wrk slows down with the server and hides its queue) sends
POST /api/v1/sum with a valid key to the task's gateway, at rising rates. A step passes when
every answer is a 200, the p99 is under the latency SLO's threshold (read from the SLO rules)
and the generator kept its rate. The search doubles the rate from a start until a step fails
(or halves it until one passes), bisects between the last pass and the first failure down to
RESOLUTION, then runs the best rate once more: on a shared machine a rate must pass twice to
count, and fail twice in a row to be over the limit.

The generator runs on CPUs the task does not have where the machine has more CPUs than the
task has vCPUs; otherwise they share, and the table says so with the generator's CPU time.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import glob
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from devtools import plan_file
from localenv import ecs, emulator
from localenv.loopback import free_port
from ops import units

ROOT = Path(__file__).resolve().parent.parent
SLO_RULES = ROOT / "monitoring" / "rules" / "sumapi-slo.rules.yml"
# The gateway admits limit_conn conn_per_ip concurrent connections per client address (its
# real address, from X-Forwarded-For when a trusted proxy sends it).
GATEWAY_CONFIG = ROOT / "nginx" / "templates" / "nginx.conf.template"
# The latency SLI's recording rules: `le` of their bucket is the SLO's threshold.
LATENCY_SLI_RECORD = "sumapi:latency_slow:ratio_rate"
UNIT = ROOT / "live" / "local" / "compute"
SIZES = ("256/512", "512/1024", "1024/2048", "2048/4096")
GROWTH = 1.5  # gentle: an overload leaves a queue the task must work off before the next step
RESOLUTION = 1.05  # the bisection stops when the failing rate is within 5% of the passing one
MAX_STEPS = 24
# Below this share of the requested rate the generator did not keep up: the step says nothing
# about the task.
GENERATOR_KEPT_UP = 0.97
REQUEST_TIMEOUT_SECONDS = 2  # beyond the SLO's threshold anyway: a failed step
# After a step the task works off what is left of its queue (after an overload, requests whose
# clients gave up long ago): the next step starts once it is idle, below this share of its vCPUs
# for a second, and at most SETTLE_SECONDS later.
IDLE_SHARE = 0.1
# Fargate gives a task its vCPUs whatever else runs on the host; a shared machine does not. The
# task's pod runs under a cgroup of its own weighted as PRIORITY nice-0 processes (cgroup v1
# cpu.shares; v2 cpu.weight, whose default is 100 for 1024 shares), and the generator at nice
# -10, so other jobs on the machine take less of their CPUs. What they still take shows as task
# CPU below its vCPUs with no throttling.
CGROUP_PARENT = "sumapi-capacity"
PRIORITY = 8
SETTLE_SECONDS = 120.0
CLIENT = "capacity"
# The load arrives as through the ALB: from the pod network's gateway, a trusted proxy, with
# X-Forwarded-For naming one of these client addresses (TEST-NET-1, RFC 5737: header values,
# never connected to). One address would be one client, whose connections the gateway caps.
CLIENT_ADDRESSES = tuple(f"192.0.2.{n}" for n in range(1, 65))
BODY = b'{"a": 2, "b": 40}'


class CapacityError(RuntimeError):
    """One line: what stopped the measurement, and the fix."""


# -- the criterion and the search (no I/O) --------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One rate held for a while, as the generator and the task's cgroup saw it."""

    rate: int  # requested, per second
    seconds: float
    requests: int
    sent_rate: float  # what the generator achieved
    p50: float  # seconds
    p99: float
    errors: int  # answers other than 200, and transport errors (timeouts included)
    error_codes: str = ""  # "429: 3, 0: 1" (0: no answer)
    task_cpu_seconds: float = 0.0
    throttled: float = 0.0  # the share of the step's scheduling periods the task was throttled in
    generator_cpu_seconds: float = 0.0
    memory_mib: float = 0.0  # the task's resident (anonymous) memory after the step

    def failure(self, threshold: float) -> str | None:
        """Why the step fails the capacity criterion; None when it passes."""
        if self.sent_rate < GENERATOR_KEPT_UP * self.rate:
            return f"generator sent {self.sent_rate:.0f}/s of {self.rate}/s"
        if self.errors:
            return f"{self.errors} errors ({self.error_codes})"
        if self.p99 >= threshold:
            return f"p99 {self.p99 * 1000:.0f} ms"
        return None


@dataclass(frozen=True)
class Search:
    best: Step | None  # the confirmed highest passing step
    limit: Step | None  # the lowest failing step above it
    steps: tuple[Step, ...]


def search(
    measure: Callable[[int], Step],
    passes: Callable[[Step], bool],
    start: int,
    *,
    growth: float = GROWTH,
    resolution: float = RESOLUTION,
    max_steps: int = MAX_STEPS,
) -> Search:
    """The highest rate that passes twice, searched from `start`; a rate fails when it fails
    twice in a row (one step on a shared machine can catch another job's burst)."""
    steps: list[Step] = []
    verdicts: dict[int, bool] = {}  # the last verdict at each rate

    def run(rate: int) -> bool:
        for _ in range(2):
            step = measure(rate)
            steps.append(step)
            verdicts[rate] = passes(step)
            if verdicts[rate] or len(steps) >= max_steps:
                break
        return verdicts[rate]

    def result(best: int | None, limit: int | None) -> Search:
        last = {s.rate: s for s in steps}
        return Search(
            last.get(best) if best else None, last.get(limit) if limit else None, tuple(steps)
        )

    low: int | None = None
    high: int | None = None
    rate = max(1, start)
    # A bracket: a passing rate below a failing one.
    while len(steps) < max_steps:
        if run(rate):
            low = rate
            if high is not None:
                break
            rate = math.ceil(rate * growth)
        else:
            high = rate
            if low is not None or rate == 1:
                break
            # Down faster than up: below a failure, any pass will do to start bisecting.
            rate = max(1, math.floor(rate / growth**2))
    while low is not None and len(steps) < max_steps:
        while high is not None and high / low > resolution and len(steps) < max_steps:
            middle = round(math.sqrt(low * high))
            if middle in (low, high):
                break
            if run(middle):
                low = middle
            else:
                high = middle
        if len(steps) >= max_steps:
            break
        if run(low):
            return result(low, high)
        # It failed when run again: the next passing rate below it gets the same treatment.
        high = low
        below = [r for r, passed in verdicts.items() if passed and r < high]
        low = max(below) if below else None
    return result(None, high)


def placement(vcpus: float, host_cpus: Sequence[int]) -> tuple[str, str, bool]:
    """(the task's cpuset, the generator's, whether they share CPUs). The task gets the first
    CPUs (podman puts a task of less than one vCPU on CPU 0 anyway: localenv.ecs.TaskLimits)."""
    cpus = sorted(host_cpus)
    needed = max(1, math.ceil(vcpus))
    if needed < len(cpus):
        return cpu_list(cpus[:needed]), cpu_list(cpus[needed:]), False
    return cpu_list(cpus), cpu_list(cpus), True


def cpu_list(cpus: Sequence[int]) -> str:
    return ",".join(str(c) for c in cpus)


def latency_threshold_seconds(rules: Path = SLO_RULES) -> float:
    """The latency SLO's threshold: the `le` bucket its SLI counts as fast enough."""
    document = yaml.safe_load(rules.read_text())
    for group in document.get("groups", []):
        for rule in group.get("rules", []):
            if str(rule.get("record", "")).startswith(LATENCY_SLI_RECORD):
                match = re.search(r'le="([0-9.]+)"', rule.get("expr", ""))
                if match:
                    return float(match.group(1))
    raise CapacityError(f"{rules}: no {LATENCY_SLI_RECORD}* rule with an le bucket")


def connections_per_client(config: Path = GATEWAY_CONFIG) -> int:
    match = re.search(r"^\s*limit_conn\s+conn_per_ip\s+(\d+);", config.read_text(), re.MULTILINE)
    if not match:
        raise CapacityError(
            f"{config}: no limit_conn conn_per_ip: how many connections may one client open?"
        )
    return int(match.group(1))


def pod_network_subnets() -> list[str]:
    """The subnets of podman's default network, where a pod's connections from the host come
    from (its gateway address)."""
    subnets = ecs.podman(
        "network", "inspect", "podman", "--format", "{{range .Subnets}}{{.Subnet}} {{end}}"
    )
    if not subnets.split():
        raise CapacityError("podman's default network has no subnet: run make container-engine")
    return subnets.split()


def parse_size(text: str) -> tuple[int, int]:
    cpu, sep, memory = text.partition("/")
    if not sep or not cpu.isdigit() or not memory.isdigit():
        raise CapacityError(f"task size {text!r}: write cpu units/memory MiB, e.g. 256/512")
    return int(cpu), int(memory)


# -- the task definition, from the module ---------------------------------------------------


@contextlib.contextmanager
def private_emulator(scratch: Path) -> Iterator[dict[str, str]]:
    """An empty emulator on a free port; the environment Terragrunt plans against it with."""
    port = free_port()
    endpoint = emulator.endpoint(emulator.DEFAULT_HOST, port)
    env = dict(os.environ)
    env.update(
        TG_DOWNLOAD_DIR=str(scratch / "terragrunt-cache"),
        TG_TF_FORWARD_STDOUT="true",
        SUMAPI_EMULATOR_ENDPOINT=endpoint,
        AWS_ENDPOINT_URL=endpoint,
        SUMAPI_RUN_DIR=str(scratch / "run"),
    )
    os.environ["SUMAPI_RUN_DIR"] = env["SUMAPI_RUN_DIR"]
    if emulator.start(emulator.DEFAULT_HOST, port) != 0:
        raise CapacityError("the private emulator did not start (see its log above)")
    try:
        yield env
    finally:
        emulator.stop(port)


def task_definitions(
    sizes: Sequence[tuple[int, int]],
    terragrunt: str,
    tofu: str,
    overrides: Mapping[str, str],
) -> dict[tuple[int, int], dict[str, Any]]:
    """The compute module's task definition for each size, in DescribeTaskDefinition's shape."""
    definitions = {}
    with (
        tempfile.TemporaryDirectory(prefix="capacity-") as scratch,
        private_emulator(Path(scratch)) as env,
    ):
        # The unit reads its dependencies' outputs (their mocks, for a plan): they need an init.
        for dependency in sorted(dependencies_of(terragrunt, UNIT)):
            plan_file.run_unit(terragrunt, UNIT.parent / dependency, env, "init", "-input=false")
        for cpu, memory in sizes:
            size_env = {
                **env,
                **overrides,
                "TF_VAR_task_size": json.dumps({"cpu": cpu, "memory": memory}),
            }
            plan = Path(scratch) / f"{cpu}-{memory}.tfplan"
            plan_file.run_unit(
                terragrunt, UNIT, size_env, "plan", "-input=false", "-lock=false", f"-out={plan}"
            )
            definitions[(cpu, memory)] = planned_definition(
                show_json(tofu, Path(scratch), plan, env)
            )
    return definitions


def dependencies_of(terragrunt: str, unit: Path) -> set[str]:
    dag = subprocess.run(
        [terragrunt, "dag", "graph", "--working-dir", str(unit.parent)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return units.dependencies(dag).get(unit.name, set())


def show_json(tofu: str, scratch: Path, plan: Path, env: Mapping[str, str]) -> dict[str, Any]:
    # Terragrunt allows the dependencies' mocks for plan only, so the plan is read by tofu in
    # the unit's own working copy (the one Terragrunt initialised: it has .terraform).
    copies = [
        Path(path).parent
        for path in glob.glob(
            str(scratch / "terragrunt-cache" / "**" / "task_definition.tf"), recursive=True
        )
        if (Path(path).parent / ".terraform").is_dir()
    ]
    if len(copies) != 1:
        raise CapacityError(
            f"expected one initialised copy of the compute module, found {len(copies)}"
        )
    shown = subprocess.run(
        [tofu, "show", "-json", str(plan)],
        cwd=copies[0],
        env=dict(env),
        capture_output=True,
        text=True,
    )
    if shown.returncode != 0:
        raise CapacityError(f"tofu show of the compute plan failed: {shown.stderr.strip()[-300:]}")
    return dict(json.loads(shown.stdout))


def planned_definition(plan: Mapping[str, Any]) -> dict[str, Any]:
    for change in plan.get("resource_changes", []):
        if change["type"] == "aws_ecs_task_definition":
            after = change["change"]["after"]
            return {
                "family": after["family"],
                "cpu": after["cpu"],
                "memory": after["memory"],
                "containerDefinitions": json.loads(after["container_definitions"]),
                "volumes": [{"name": v["name"]} for v in after.get("volume") or []],
            }
    raise CapacityError("the compute plan has no aws_ecs_task_definition")


# -- the task under load --------------------------------------------------------------------


class PodCgroup:
    """The pod-level cgroup of a task: its limits as the kernel holds them, and its usage."""

    def __init__(self, pod: str) -> None:
        self.path = ecs.podman("pod", "inspect", pod, "--format", "{{.CgroupPath}}").lstrip("/")
        self.v1 = Path("/sys/fs/cgroup/cpuacct").is_dir()

    def read(self, controller: str, name: str) -> str:
        base = Path("/sys/fs/cgroup") / (controller if self.v1 else "") / self.path
        return (base / name).read_text().strip()

    def stat(self, controller: str, name: str) -> dict[str, int]:
        pairs = (line.split() for line in self.read(controller, name).splitlines())
        return {key: int(value) for key, value in pairs}

    def limits(self) -> tuple[float, str, int]:
        """(vCPUs, cpuset, memory MiB) the kernel enforces on the pod."""
        if self.v1:
            quota = int(self.read("cpu", "cpu.cfs_quota_us")) / int(
                self.read("cpu", "cpu.cfs_period_us")
            )
            memory = int(self.read("memory", "memory.limit_in_bytes"))
        else:
            limit, period = self.read("", "cpu.max").split()
            quota = math.inf if limit == "max" else int(limit) / int(period)
            memory = int(self.read("", "memory.max"))
        return quota, self.read("cpuset", "cpuset.cpus"), memory // 2**20

    def weigh_parent(self, processes: int) -> None:
        """The CPU weight of the pod's parent cgroup: as many nice-0 processes."""
        parent = Path("/sys/fs/cgroup") / ("cpu" if self.v1 else "") / Path(self.path).parent
        if self.v1:
            (parent / "cpu.shares").write_text(str(1024 * processes))
        else:
            (parent / "cpu.weight").write_text(str(100 * processes))

    def cpu_seconds(self) -> float:
        if self.v1:
            return int(self.read("cpuacct", "cpuacct.usage")) / 1e9
        return self.stat("", "cpu.stat")["usage_usec"] / 1e6

    def periods(self) -> tuple[int, int]:
        """(scheduling periods, periods in which the quota ran out and the pod waited)."""
        stat = self.stat("cpu" if self.v1 else "", "cpu.stat")
        return stat["nr_periods"], stat["nr_throttled"]

    def memory_mib(self) -> float:
        stat = self.stat("memory", "memory.stat")
        return (stat["total_rss"] if self.v1 else stat["anon"]) / 2**20


def remove_parent_cgroup() -> None:
    """The pods' parent cgroup, once they are gone (podman leaves it)."""
    for parent in Path("/sys/fs/cgroup").glob(f"*/{CGROUP_PARENT}"):
        # An empty cgroup is removed with rmdir, children first; a busy one stays.
        for directory in sorted(parent.glob("**/"), key=lambda d: len(d.parts), reverse=True):
            with contextlib.suppress(OSError):
                directory.rmdir()


def cpu_sets_equal(a: str, b: str) -> bool:
    def expand(text: str) -> set[int]:
        cpus: set[int] = set()
        for part in filter(None, text.split(",")):
            first, _, last = part.partition("-")
            cpus.update(range(int(first), int(last or first) + 1))
        return cpus

    return expand(a) == expand(b)


@contextlib.contextmanager
def running_task(
    definition: Mapping[str, Any], limits: ecs.TaskLimits, keys: str
) -> Iterator[tuple[int, PodCgroup]]:
    """The task as one pod with `limits`, its gateway published on a free loopback port."""
    gateway = next(c for c in definition["containerDefinitions"] if c.get("portMappings"))
    port = free_port()
    pod = f"sumapi-capacity-{definition['cpu']}-{uuid.uuid4().hex[:8]}"
    secrets = {
        s["valueFrom"] for c in definition["containerDefinitions"] for s in c.get("secrets", [])
    }
    if len(secrets) != 1:
        raise CapacityError(
            f"expected one secret (the API keys) in the task definition, found {len(secrets)}"
        )
    containers = tuple(c["name"] for c in ecs.start_order(definition["containerDefinitions"]))
    try:
        ecs.launch_task(
            pod,
            definition,
            labels={"capacity": pod},
            publish=[
                "--publish",
                f"127.0.0.1:{port}:{gateway['portMappings'][0]['containerPort']}",
            ],
            secret=lambda _: keys,
            credentials=None,
            stopping=threading.Event(),
            limits=limits,
        )
        ecs.wait_answers(f"http://127.0.0.1:{port}/readyz", 60)
        cgroup = PodCgroup(pod)
        cgroup.weigh_parent(PRIORITY)
        vcpus, cpuset, memory = cgroup.limits()
        wanted = (limits.vcpus, limits.cpuset or cpuset, limits.memory_mib)
        if not (
            math.isclose(vcpus, wanted[0])
            and cpu_sets_equal(cpuset, wanted[1])
            and memory == wanted[2]
        ):
            raise CapacityError(
                f"pod {pod} runs with {vcpus:g} vCPU on CPUs {cpuset} and {memory} MiB, not "
                f"{wanted[0]:g} on {wanted[1]} and {wanted[2]}: podman did not set the task's "
                "limits"
            )
        yield port, cgroup
    finally:
        ecs.stop_task(pod, containers, "capacity measured")


class Generator:
    """vegeta, pinned to its CPUs, sending the sum request with the key at a fixed rate."""

    def __init__(self, vegeta: str, cpus: str, url: str, key: str, scratch: Path) -> None:
        self.vegeta, self.cpus, self.scratch = vegeta, cpus, scratch
        # Kept-alive connections, as many as one client address may open: as the ALB reuses its
        # connections to a target, a stall queues requests here (counted in their latency)
        # instead of opening thousands of new connections, whose SYNs would overflow the
        # gateway's accept queue and outlast the step.
        self.connections = connections_per_client()
        self.targets = scratch / "targets.json"
        body = base64.b64encode(BODY).decode()
        headers = {"Content-Type": ["application/json"], "X-API-Key": [key]}
        targets = [
            {
                "method": "POST",
                "url": url,
                "header": {**headers, "X-Forwarded-For": [address]},
                "body": body,
            }
            for address in CLIENT_ADDRESSES
        ]
        # The key goes in a private file, never a command line. vegeta takes them in turn.
        self.targets.touch(mode=0o600)
        self.targets.write_text("".join(json.dumps(t) + "\n" for t in targets))

    def attack(self, rate: int, seconds: float) -> tuple[dict[str, Any], float]:
        """vegeta's JSON report of `seconds` at `rate`, and the CPU seconds vegeta used."""
        results = self.scratch / "results.bin"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        attack = subprocess.run(
            [
                *(["nice", "-n", "-10"] if os.geteuid() == 0 else []),
                "taskset", "--cpu-list", self.cpus, self.vegeta, "attack",
                "-format=json", f"-targets={self.targets}", f"-rate={rate}/1s",
                f"-duration={seconds:g}s", f"-timeout={REQUEST_TIMEOUT_SECONDS}s",
                f"-max-connections={self.connections}", f"-output={results}",
            ],
            capture_output=True,
            text=True,
        )  # fmt: skip
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if attack.returncode != 0:
            raise CapacityError(f"vegeta attack failed: {attack.stderr.strip()[-300:]}")
        report = subprocess.run(
            [self.vegeta, "report", "-type=json", str(results)],
            capture_output=True,
            text=True,
            check=True,
        )
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return dict(json.loads(report.stdout)), used


def measure_step(generator: Generator, cgroup: PodCgroup, rate: int, seconds: float) -> Step:
    cpu, (periods, throttled) = cgroup.cpu_seconds(), cgroup.periods()
    report, generator_cpu = generator.attack(rate, seconds)
    periods_after, throttled_after = cgroup.periods()
    codes = {code: int(n) for code, n in (report.get("status_codes") or {}).items()}
    step = Step(
        rate=rate,
        seconds=seconds,
        requests=int(report["requests"]),
        sent_rate=float(report["rate"]),
        p50=report["latencies"]["50th"] / 1e9,
        p99=report["latencies"]["99th"] / 1e9,
        errors=int(report["requests"]) - codes.get("200", 0),
        error_codes=", ".join(f"{code}: {n}" for code, n in sorted(codes.items()) if code != "200"),
        task_cpu_seconds=cgroup.cpu_seconds() - cpu,
        throttled=(throttled_after - throttled) / max(1, periods_after - periods),
        generator_cpu_seconds=generator_cpu,
        memory_mib=cgroup.memory_mib(),
    )
    return step


def settle(cgroup: PodCgroup, vcpus: float) -> None:
    """Returns once the task has been idle for a second (it worked off its queue)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    used = cgroup.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(1.0)
        used, before = cgroup.cpu_seconds(), used
        if used - before < IDLE_SHARE * vcpus:
            return
    raise CapacityError(f"the task was still busy {SETTLE_SECONDS:g} s after a step")


# -- the run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    size: tuple[int, int]
    workers: str
    task_cpus: str
    generator_cpus: str
    shared: bool
    search: Search


def measure_size(
    size: tuple[int, int],
    definition: Mapping[str, Any],
    vegeta: str,
    threshold: float,
    step_seconds: float,
    say: Callable[[str], None],
) -> Result:
    task_cpus, generator_cpus, shared = placement(size[0] / 1024, sorted(os.sched_getaffinity(0)))
    limits = ecs.TaskLimits.of(definition, cpuset=task_cpus, cgroup_parent=f"/{CGROUP_PARENT}")
    key = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    app = next(c for c in definition["containerDefinitions"] if c["name"] == "app")
    workers = {e["name"]: e["value"] for e in app.get("environment", [])}.get(
        "SUMAPI_WORKERS", "auto"
    )
    say(
        f"task {size[0]}/{size[1]} ({limits.vcpus:g} vCPU, SUMAPI_WORKERS={workers}) on CPUs "
        f"{task_cpus}, generator on {generator_cpus}{' (shared)' if shared else ''}"
    )
    start = max(10, round(800 * limits.vcpus))
    with tempfile.TemporaryDirectory(prefix="capacity-load-") as scratch:
        task = contextlib.ExitStack()
        current: list[tuple[Generator, PodCgroup, str]] = []

        def fresh() -> tuple[Generator, PodCgroup, str]:
            """A new task: after a failed step the old one may still be working off its
            queue, or stuck behind it; every step after a failure starts on a new task."""
            task.close()
            port, cgroup = task.enter_context(running_task(definition, limits, f"{CLIENT}:{key}"))
            url = f"http://127.0.0.1:{port}"
            generator = Generator(vegeta, generator_cpus, f"{url}/api/v1/sum", key, Path(scratch))
            generator.attack(start, 5)  # warm-up: connections, caches; not counted
            current[:] = [(generator, cgroup, f"{url}/readyz")]
            return current[0]

        def measure(rate: int) -> Step:
            generator, cgroup, health = current[0] if current else fresh()
            step = measure_step(generator, cgroup, rate, step_seconds)
            failure = step.failure(threshold)
            if failure:
                current.clear()
            else:
                settle(cgroup, limits.vcpus)
                ecs.wait_answers(health, 60)
            say(
                f"  {rate:>6}/s: sent {step.sent_rate:7.0f}/s p50 {step.p50 * 1000:6.1f} ms "
                f"p99 {step.p99 * 1000:7.1f} ms errors {step.errors:<5} task CPU "
                f"{step.task_cpu_seconds / step.seconds:4.2f} throttled "
                f"{step.throttled:4.0%} generator CPU "
                f"{step.generator_cpu_seconds / step.seconds:4.2f}  {failure or 'pass'}"
            )
            return step

        with task:
            found = search(measure, lambda s: s.failure(threshold) is None, start)
    return Result(size, workers, task_cpus, generator_cpus, shared, found)


def table(results: Sequence[Result], threshold: float) -> list[str]:
    lines = [
        "| task size (cpu units / MiB) | app workers | CPUs: task / generator "
        "| capacity (requests/s) "
        f"| p50 / p99 at it | next step up failed on (p99 limit {threshold * 1000:g} ms) "
        "| task CPU used (of its vCPUs) | periods throttled | generator CPU "
        "| task CPU per request | task memory |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        best, limit = r.search.best, r.search.limit
        cpus = f"{r.task_cpus} / {r.generator_cpus}" + (" (shared)" if r.shared else "")
        if best is None:
            once = [s.rate for s in r.search.steps if s.failure(threshold) is None]
            verdict = f"none passed twice (once: up to {max(once)})" if once else "none passed"
            empty = " |" * 7
            lines.append(f"| {r.size[0]} / {r.size[1]} | {r.workers} | {cpus} | {verdict} |{empty}")
            continue
        vcpus = r.size[0] / 1024
        lines.append(
            f"| {r.size[0]} / {r.size[1]} | {r.workers} | {cpus} | {best.rate} "
            f"| {best.p50 * 1000:.1f} / {best.p99 * 1000:.1f} ms "
            f"| {(limit.failure(threshold) if limit else None) or 'none failed'}"
            f"{f' at {limit.rate}/s' if limit else ''} "
            f"| {best.task_cpu_seconds / best.seconds:.2f} of {vcpus:g} "
            f"| {best.throttled:.0%} | {best.generator_cpu_seconds / best.seconds:.2f} "
            f"| {best.task_cpu_seconds / max(1, best.requests) * 1e6:.0f} µs "
            f"| {best.memory_mib:.0f} of {r.size[1]} MiB |"
        )
    return lines


def machine() -> str:
    podman = ecs.podman("version", "--format", "{{.Client.Version}}")
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} CPUs ({model}), {system}, podman {podman}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.capacity", description=__doc__)
    parser.add_argument("--terragrunt", required=True)
    parser.add_argument("--tofu", required=True)
    parser.add_argument("--vegeta", required=True)
    parser.add_argument(
        "--image-tag", required=True, help="the tag of this checkout's images (make images)"
    )
    parser.add_argument("--sizes", default=" ".join(SIZES), help="task sizes, cpu units/memory MiB")
    parser.add_argument("--step-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(f"capacity: {line}", flush=True)

    try:
        sizes = [parse_size(s) for s in args.sizes.split()]
        threshold = latency_threshold_seconds()
        for image in (f"sumapi:{args.image_tag}", f"sumapi-gateway:{args.image_tag}"):
            if not ecs.podman("images", "--quiet", f"localhost/{image}", check=False):
                raise CapacityError(f"no image {image} in podman's store: run make images first")
        overrides = {
            "TF_VAR_app_image": f"localhost/sumapi:{args.image_tag}",
            "TF_VAR_nginx_image": f"localhost/sumapi-gateway:{args.image_tag}",
            # The load is one API client: in the high-rate class, so that the gateway's rate
            # limits (per client) are evaluated on every request and reject none.
            "TF_VAR_nginx_environment": json.dumps(
                {"HIGH_RATE_CLIENTS": CLIENT, "HIGH_RATE": "1000000r/s", "HIGH_BURST": "1000000"}
            ),
            # The pod network's gateway stands in for the ALB: the proxy the gateway trusts.
            "TF_VAR_trusted_proxy_cidrs": json.dumps(pod_network_subnets()),
        }
        say(f"planning the compute module for {', '.join(f'{c}/{m}' for c, m in sizes)}")
        definitions = task_definitions(sizes, args.terragrunt, args.tofu, overrides)
        load_before = os.getloadavg()
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        results = [
            measure_size(size, definitions[size], args.vegeta, threshold, args.step_seconds, say)
            for size in sizes
        ]
    except (CapacityError, ecs.RunnerError) as error:
        print(f"capacity: {error}", file=sys.stderr)
        return 1
    finally:
        remove_parent_cgroup()
    load_after = os.getloadavg()
    print()
    print(
        f"{started}, {machine()}; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after; {args.step_seconds:g} s per step, open loop (vegeta), "
        f"POST /api/v1/sum through the task's gateway; a step passes with every answer 200 and "
        f"p99 < {threshold * 1000:g} ms (the latency SLO), twice at the rate shown"
    )
    print()
    print("\n".join(table(results, threshold)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
