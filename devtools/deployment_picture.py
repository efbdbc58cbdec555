"""`make picture-deployment`: docs/img/deployment.png, the service running in the emulated account.

    python -m devtools.deployment_picture docs/img/deployment.png
    python -m devtools.deployment_picture OUT.png --data .run/pictures/deployment.json

Runs public make targets only, on private ports (next to a developer's own deployment): `make
first-deploy ENV=local` (every unit applied to a private emulator, the images pushed to its
ECR, the task definition run as pods by the local ECS agent behind the local load balancer),
`make smoke`, a rollout to a second image tag under traffic (`make images push-images`, `make
deploy MODULE=compute`, `make wait-deployed`), `make smoke` again and `make down`. The page
shows what that run read back: the emulator's ECS and ELB APIs (DescribeServices with its
deployments and events, DescribeTaskDefinition, DescribeTargetGroups), the containers running
the tasks, the smoke tests' lines and the version every request of the rollout got. Headless
Chromium takes the picture. The run's data is kept as JSON next to the other run files;
--data renders a kept run again without deploying.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import requests

from devtools.screenshots import capture
from localenv.daemon import ROOT, run_dir
from localenv.loopback import free_port
from ops.keytool import KeyStore

# The rollout's image: this checkout again, under a second tag, as a new release reaches ECS
# (make test-containers rolls out the same way).
SECOND_TAG = "feedbee"
HEIGHT = 960


def emulator_client(endpoint: str, service: str) -> Any:
    # The emulator accepts any credentials: fixed ones keep a real profile out of it.
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", **credentials)


@dataclass
class Deployment:
    """Private ports and directories of one run: make's variables and environment."""

    emulator_port: int
    registry_port: int
    lb_port: int
    work: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def make_vars(self) -> list[str]:
        return [
            "ENV=local",
            f"EMULATOR_PORT={self.emulator_port}",
            f"REGISTRY_PORT={self.registry_port}",
            f"LB_PORT={self.lb_port}",
        ]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    def make(self, *args: str) -> tuple[str, float]:
        """Runs `make ARGS` with this run's variables: its output and how long it took."""
        env = {
            **os.environ,
            # Terragrunt's working copies name the emulator's port: a private directory.
            "TG_DOWNLOAD_DIR": str(self.work / "terragrunt-cache"),
            "DEPLOY_SUMMARY": str(self.work / "deploy-summary.md"),
            **self.env,
        }
        started = time.monotonic()
        print(f"deployment-picture: make {' '.join(args)}", flush=True)
        result = subprocess.run(
            ["make", *args, *self.make_vars],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0:
            tail = "\n".join(output.splitlines()[-30:])
            raise SystemExit(f"{tail}\ndeployment-picture: make {' '.join(args)} failed")
        return output, time.monotonic() - started

    def aws(self, service: str) -> Any:
        return emulator_client(f"http://127.0.0.1:{self.emulator_port}", service)


@dataclass
class Traffic:
    """Requests through the load balancer while a rollout runs: which version answered."""

    url: str
    samples: list[tuple[float, str]] = field(default_factory=list)  # (seconds, version|error)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        started = time.monotonic()
        with requests.Session() as session:
            while not self.stop.wait(0.05):
                try:
                    response = session.get(f"{self.url}/healthz", timeout=5)
                    ok = response.status_code == 200
                    outcome = response.json()["version"] if ok else f"HTTP {response.status_code}"
                except (requests.RequestException, ValueError, KeyError) as error:
                    outcome = type(error).__name__
                self.samples.append((round(time.monotonic() - started, 2), outcome))

    @contextlib.contextmanager
    def running(self) -> Iterator[Traffic]:
        worker = threading.Thread(target=self.run, daemon=True)
        worker.start()
        try:
            yield self
        finally:
            self.stop.set()
            worker.join(timeout=30)


def short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def ecs_view(deployment: Deployment) -> dict[str, Any]:
    """The ECS service, its task definition and target group, as the emulator's API says:
    its deployments and events are kept from the local ECS agent's reports."""
    ecs, elbv2 = deployment.aws("ecs"), deployment.aws("elbv2")
    cluster = ecs.list_clusters()["clusterArns"][0]
    service = ecs.describe_services(
        cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"][:1]
    )["services"][0]
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])[
        "taskDefinition"
    ]
    balancer = service["loadBalancers"][0]
    group = elbv2.describe_target_groups(TargetGroupArns=[balancer["targetGroupArn"]])[
        "TargetGroups"
    ][0]
    albs = elbv2.describe_load_balancers(LoadBalancerArns=group["LoadBalancerArns"][:1])
    network = service.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
    config = service.get("deploymentConfiguration", {})
    breaker = config.get("deploymentCircuitBreaker", {})
    return {
        "cluster": short(cluster),
        "service": service["serviceName"],
        "status": service["status"],
        "launch_type": service.get("launchType", "?"),
        "desired": service["desiredCount"],
        "running": service.get("runningCount", 0),
        "task_definition": short(service["taskDefinition"]),
        "rolling": (
            f"{config.get('minimumHealthyPercent', '?')}-{config.get('maximumPercent', '?')} %, "
            "circuit breaker "
            + ("with rollback" if breaker.get("rollback") else "on" if breaker else "off")
        ),
        "deployments": [
            {
                "status": d["status"],
                "task_definition": short(d["taskDefinition"]),
                "rollout": d.get("rolloutState", "?"),
                "running": d.get("runningCount", 0),
                "desired": d.get("desiredCount", 0),
                "failed": d.get("failedTasks", 0),
            }
            for d in service.get("deployments", [])
        ],
        "events": [event["message"] for event in service.get("events", [])[:4]],
        "network": (
            f"awsvpc, {len(network.get('subnets', []))} subnets, "
            f"public IP {network.get('assignPublicIp', '?')}"
        ),
        "target": (
            f"{balancer['containerName']}:{balancer['containerPort']}, "
            f"health check {group.get('HealthCheckPath', '/')}"
        ),
        "load_balancer": (
            albs["LoadBalancers"][0]["DNSName"] if albs.get("LoadBalancers") else "(none)"
        ),
        "size": f"{definition.get('cpu', '?')} CPU units, {definition.get('memory', '?')} MiB",
        "containers": [
            {
                "name": container["name"],
                "image": container["image"].rsplit("/", 1)[-1],
                "user": container.get("user", "(image's)"),
                "read_only": bool(container.get("readonlyRootFilesystem")),
                "health_check": bool(container.get("healthCheck")),
                "ports": ", ".join(
                    str(mapping["containerPort"]) for mapping in container.get("portMappings", [])
                ),
            }
            for container in definition["containerDefinitions"]
        ],
    }


def smoke_key(emulator: str) -> str:
    """The first key of the emulated account's API keys secret (the workflow's SMOKE_API_KEY
    secret on AWS), read as the key tool reads it; never printed (devtools/tour uses it too)."""
    secrets = emulator_client(emulator, "secretsmanager")
    arn = next(
        entry["ARN"]
        for entry in secrets.list_secrets()["SecretList"]
        if entry["Name"].endswith("/api-keys")
    )
    return KeyStore(secrets, arn).read().keys[0].key


def running_tasks(deployment: Deployment) -> list[dict[str, Any]]:
    """This run's tasks as the container engine shows them: the pods whose containers run
    images of its private registry."""
    listed = subprocess.run(
        [str(ROOT / "localenv" / "podman"), "ps", "--pod", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        return []
    registry = f"127.0.0.1:{deployment.registry_port}/"
    pods: dict[str, list[dict[str, str]]] = {}
    for container in json.loads(listed.stdout or "[]"):
        image = str(container.get("Image", ""))
        if image.startswith(registry):
            pod = str(container.get("PodName") or "-")
            pods.setdefault(pod, []).append(
                {
                    "name": str(container["Names"][0]).removeprefix(f"{pod}-"),
                    "image": image.rsplit("/", 1)[-1],
                    "status": str(container.get("Status", "?")),
                }
            )
    return [
        {"pod": pod, "containers": sorted(containers, key=lambda c: c["name"])}
        for pod, containers in sorted(pods.items())
    ]


def deploy_summary(output: str) -> dict[str, Any]:
    units = re.findall(r"Run Summary\s+(\d+) units", output)
    added = re.findall(r"Apply complete! Resources: (\d+) added", output)
    return {"units": int(units[-1]) if units else 0, "resources": sum(map(int, added))}


def smoke_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match("PASS|FAIL|smoke-test:", line)]


def collect(out_json: Path) -> dict[str, Any]:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="deployment-picture-") as work:
        deployment = Deployment(free_port(), free_port(), free_port(), Path(work))
        try:
            deployment.make("-s", "emulator")
            # Its output shows the first key once: kept out of the page, like every output.
            output, deploy_seconds = deployment.make("first-deploy", f"IMAGE_TAG={head}")
            deployment.env["SMOKE_API_KEY"] = smoke_key(
                f"http://127.0.0.1:{deployment.emulator_port}"
            )
            smoke_before, _ = deployment.make("-s", "smoke")
            ecs_before, tasks_before = ecs_view(deployment), running_tasks(deployment)
            deployment.make("images", "push-images", f"IMAGE_TAG={SECOND_TAG}")
            with Traffic(deployment.url).running() as traffic:
                time.sleep(2)  # the old version answering, before the rollout starts
                started = time.monotonic()
                deployment.make("deploy", "MODULE=compute", f"IMAGE_TAG={SECOND_TAG}")
                deployment.make("-s", "wait-deployed")
                rollout_seconds = time.monotonic() - started
                time.sleep(2)
            smoke_after, _ = deployment.make("-s", "smoke")
            ecs_after, tasks_after = ecs_view(deployment), running_tasks(deployment)
        finally:
            deployment.make("-s", "down")
    data = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": head,
        "second_tag": SECOND_TAG,
        "deploy": {**deploy_summary(output), "seconds": round(deploy_seconds)},
        "rollout": {"seconds": round(rollout_seconds), "samples": traffic.samples},
        "before": {"ecs": ecs_before, "tasks": tasks_before, "smoke": smoke_lines(smoke_before)},
        "after": {"ecs": ecs_after, "tasks": tasks_after, "smoke": smoke_lines(smoke_after)},
    }
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(data, indent=1))
    return data


# -- the page -------------------------------------------------------------------------------
OK, BAD, OLD, NEW = "#2e7d32", "#c62828", "#1e6fb8", "#2e7d32"
TERMINAL_COLUMNS = 84
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; color: #212121;
       background: #fafafa; }
header { background: #263238; color: #fff; padding: 12px 24px; }
header h1 { font-size: 23px; margin: 0 0 4px; }
header p { margin: 0; font-size: 14px; color: #cfd8dc; }
main { padding: 12px 24px; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin-bottom: 8px; }
.tile { border-radius: 6px; padding: 8px 14px; color: #fff; }
.tile .big { font-size: 22px; font-weight: bold; }
.tile .small { font-size: 13px; opacity: 0.95; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 22px; }
h2 { font-size: 16px; margin: 12px 0 5px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; background: #fff; }
td, th { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
pre { background: #1e1e1e; color: #e0e0e0; padding: 7px 10px; margin: 0; border-radius: 4px;
      overflow: hidden; }
.pass { color: #81c784; } .fail { color: #ef5350; }
.healthy { color: #2e7d32; font-weight: bold; }
.unhealthy { color: #c62828; font-weight: bold; }
.legend { font-size: 14px; margin-bottom: 4px; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px;
               vertical-align: middle; border-radius: 2px; }
.note { font-size: 12.5px; color: #444; margin: 4px 0 0; }
ul.events { font-size: 12.5px; margin: 2px 0 0; padding-left: 20px; }
"""


def esc(value: object) -> str:
    return html.escape(str(value))


def table(rows: Sequence[tuple[str, str]]) -> str:
    """Rows of a heading and its value."""
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def grid(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns under headings; the cells are HTML already."""
    head = "".join(f"<th>{esc(heading)}</th>" for heading in headings)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def tile(colour: str, big: str, small: str) -> str:
    return (
        f'<div class="tile" style="background:{colour}"><div class="big">{esc(big)}</div>'
        f'<div class="small">{esc(small)}</div></div>'
    )


def terminal(command: str, lines: Sequence[str]) -> str:
    """The lines as a terminal shows them, cut to its width; PASS green, FAIL red."""

    def shown(line: str) -> str:
        cut = line if len(line) <= TERMINAL_COLUMNS else line[: TERMINAL_COLUMNS - 1] + "…"
        for word, css in (("PASS", "pass"), ("FAIL", "fail")):
            if cut.startswith(word):
                return f'<span class="{css}">{word}</span>{esc(cut[len(word) :])}'
        return esc(cut)

    return f"<pre>$ {esc(command)}\n" + "\n".join(shown(line) for line in lines) + "</pre>"


def tag(image_or_version: str) -> str:
    """A commit SHA shortened as git does; any other tag as it is."""
    name, _, version = image_or_version.rpartition(":")
    version = version[:12] if re.fullmatch("[0-9a-f]{40}", version) else version
    return f"{name}:{version}" if name else version


def classify(outcome: str, data: dict[str, Any]) -> str:
    if outcome == data["commit"]:
        return "old"
    return "new" if outcome == data["second_tag"] else "error"


def timeline(data: dict[str, Any], width: int = 1232, height: int = 64) -> str:
    """One column per half second of the rollout: the share of the requests each version (or
    an error) answered; the versions named where they answered."""
    samples = data["rollout"]["samples"]
    if not samples:
        return "<p>no request was sent</p>"
    step = 0.5
    buckets: dict[int, list[str]] = {}
    for seconds, outcome in samples:
        buckets.setdefault(int(seconds / step), []).append(classify(outcome, data))
    column = width / (max(buckets) + 1)
    shapes: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    for index, kinds in sorted(buckets.items()):
        y = float(height)
        for kind, colour in (("old", OLD), ("new", NEW), ("error", BAD)):
            share = kinds.count(kind) / len(kinds)
            if share:
                y -= share * height
                shapes.append(
                    f'<rect x="{index * column:.1f}" y="{y:.1f}" width="{column + 0.6:.1f}" '
                    f'height="{share * height:.1f}" fill="{colour}"/>'
                )
                first, last = spans.get(kind, (index, index))
                spans[kind] = (min(first, index), max(last, index))
    labels = {
        "old": f"the first deploy's tasks answer ({tag(data['commit'])})",
        "new": f"the new tasks answer ({data['second_tag']})",
    }
    for kind, (first, last) in spans.items():
        if kind in labels and (last - first) * column > 200:
            shapes.append(
                f'<text x="{(first + last + 1) / 2 * column:.0f}" y="{height / 2 + 5:.0f}" '
                f'fill="#fff" font-size="15" text-anchor="middle">{esc(labels[kind])}</text>'
            )
    ticks = "".join(
        f'<text x="{s / step * column:.0f}" y="{height + 14}" font-size="11">{s} s</text>'
        for s in range(0, int((max(buckets) + 1) * step), 10)
    )
    return f'<svg width="{width}" height="{height + 18}">{"".join(shapes)}{ticks}</svg>'


def tasks_table(tasks: Sequence[dict[str, Any]]) -> str:
    if not tasks:
        return "<p>no task found (the container engine listed none of this run's images)</p>"

    def container(c: dict[str, str]) -> str:
        state = "healthy" if "(healthy)" in c["status"] else "unhealthy"
        mark = "&#10003; healthy" if state == "healthy" else esc(c["status"])
        return f'{esc(c["name"])} <span class="{state}">{mark}</span>'

    return grid(
        ["task (podman pod)", "containers", "images"],
        (
            [
                esc(task["pod"]),
                ", ".join(map(container, task["containers"])),
                code(", ".join(sorted({tag(c["image"]) for c in task["containers"]}))),
            ]
            for task in tasks
        ),
    )


def definition_table(ecs: dict[str, Any]) -> str:
    return grid(
        ["container", "image", "port", "user", "read-only root", "health check"],
        (
            [
                esc(c["name"]),
                code(tag(c["image"])),
                esc(c["ports"] or "-"),
                esc(c["user"]),
                "yes" if c["read_only"] else "no",
                "yes" if c["health_check"] else "no",
            ]
            for c in ecs["containers"]
        ),
    )


def when(seconds: float | None) -> str:
    return "(never)" if seconds is None else f"{seconds:.1f} s"


def deployments_table(ecs: dict[str, Any]) -> str:
    def rollout(state: str) -> str:
        css = "healthy" if state == "COMPLETED" else "unhealthy"
        return f'<span class="{css}">{esc(state)}</span>'

    events = "".join(f"<li>{esc(message)}</li>" for message in ecs["events"])
    return (
        grid(
            ["deployment", "task definition", "rollout", "running / desired", "failed tasks"],
            (
                [
                    esc(d["status"]),
                    esc(d["task_definition"]),
                    rollout(d["rollout"]),
                    f"{d['running']} / {d['desired']}",
                    str(d["failed"]),
                ]
                for d in ecs["deployments"]
            ),
        )
        + f'<p class="note">Latest service events:</p><ul class="events">{events}</ul>'
    )


def render(data: dict[str, Any]) -> str:
    before, after = data["before"], data["after"]
    ecs = before["ecs"]
    samples = data["rollout"]["samples"]
    kinds = [classify(outcome, data) for _, outcome in samples]
    failed = kinds.count("error")
    smoke = before["smoke"] + after["smoke"]
    passed = sum(line.startswith("PASS") for line in smoke)
    checks = sum(line.startswith(("PASS", "FAIL")) for line in smoke)
    healthy = sum(
        all("(healthy)" in c["status"] for c in task["containers"]) for task in before["tasks"]
    )
    primary: dict[str, Any] = next((d for d in ecs["deployments"] if d["status"] == "PRIMARY"), {})
    tiles = "".join(
        [
            tile(
                OK,
                f"{data['deploy']['units']} units applied",
                f"make first-deploy ENV=local: {data['deploy']['resources']} resources, images "
                f"pushed to the emulated ECR, tasks running, in {data['deploy']['seconds']} s",
            ),
            tile(
                OK if healthy == ecs["desired"] == ecs["running"] else BAD,
                f"{healthy} of {ecs['desired']} tasks healthy",
                f"ECS service {ecs['status']}, deployment {primary.get('rollout', '?')}, "
                f"{ecs['running']} running as the local ECS agent reported",
            ),
            tile(
                OK if checks and passed == checks else BAD,
                f"smoke {passed}/{checks} passed",
                "make smoke through the load balancer, before and after the rollout",
            ),
            tile(
                OK if samples and not failed else BAD,
                f"rollout: {failed} failed",
                f"of {len(samples)} requests during make deploy MODULE=compute "
                f"IMAGE_TAG={data['second_tag']} and make wait-deployed "
                f"({data['rollout']['seconds']} s)",
            ),
        ]
    )
    service_rows = [
        ("cluster / service", f"{esc(ecs['cluster'])} / {esc(ecs['service'])}"),
        (
            "launch type",
            f"{esc(ecs['launch_type'])}, desired {ecs['desired']}, running {ecs['running']}",
        ),
        ("task definition", f"{esc(ecs['task_definition'])}: {esc(ecs['size'])}"),
        ("rolling update", esc(ecs["rolling"])),
        ("network", esc(ecs["network"])),
        ("load balancer", f"<code>{esc(ecs['load_balancer'])}</code>"),
        ("target", esc(ecs["target"])),
    ]
    seen = list(zip((t for t, _ in samples), kinds, strict=True))
    first_new = next((t for t, kind in seen if kind == "new"), None)
    last_old = max((t for t, kind in seen if kind == "old"), default=None)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>sumapi deployed to the emulated AWS account</title><style>{STYLE}</style></head><body>
<header><h1>sumapi running in the emulated AWS account: deploy, smoke test, rollout</h1>
<p>make first-deploy ENV=local &rarr; make smoke &rarr; make images push-images, make deploy
MODULE=compute IMAGE_TAG={esc(data["second_tag"])}, make wait-deployed &rarr; make smoke,
{esc(data["date"])}, commit {esc(tag(data["commit"]))}. Every value on this page was read back
from that run (devtools/deployment_picture.py).</p></header>
<main>
<div class="tiles">{tiles}</div>
<div class="cols">
<div>
<h2>The ECS service, as the emulator's API describes it</h2>
{table(service_rows)}
<h2>Its task definition, {esc(ecs["task_definition"])}</h2>
{definition_table(ecs)}
</div>
<div>
<h2>Its tasks, run by the local ECS agent</h2>
{tasks_table(before["tasks"])}
<h2>The smoke test, through the load balancer</h2>
{terminal("make smoke ENV=local", before["smoke"])}
</div>
</div>
<h2>The rollout under traffic: which version answered each request to /healthz</h2>
<div class="legend"><span style="background:{OLD}"></span>{esc(tag(data["commit"]))}
(first deploy, {esc(ecs["task_definition"])})
<span style="background:{NEW}"></span>{esc(data["second_tag"])} (rollout,
{esc(after["ecs"]["task_definition"])})
<span style="background:{BAD}"></span>failed: {failed} of {len(samples)}</div>
{timeline(data)}
<p class="note">The new tasks (this checkout under a second image tag) started and turned
healthy before the load balancer moved to them; the old ones were drained, then stopped. The
new version answered first after {when(first_new)}, the old one last after {when(last_old)}.</p>
<div class="cols">
<div><h2>After the rollout: the emulator's ECS deployments</h2>{deployments_table(after["ecs"])}
</div>
<div><h2>After the rollout: the tasks and the smoke test</h2>{tasks_table(after["tasks"])}
{terminal("make smoke ENV=local", after["smoke"][:1] + after["smoke"][-1:])}</div>
</div>
</main></body></html>
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.deployment_picture")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--data", type=Path, help="render this kept run instead of deploying")
    args = parser.parse_args(argv)
    kept = run_dir() / "pictures" / "deployment.json"
    data = json.loads(args.data.read_text()) if args.data else collect(kept)
    page = run_dir() / "pictures" / "deployment.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render(data))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    capture(page.resolve().as_uri(), args.out, HEIGHT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
