"""`make picture-deployment`: docs/img/deployment.png, the service running in the emulated account.

    python -m devtools.deployment_picture docs/img/deployment.png
    python -m devtools.deployment_picture docs/img/deployment.png --data .run/deployment.json

Runs public make targets only, on private ports (next to a developer's own deployment): `make
deploy ENV=local` (every unit applied to a private emulator, the images pushed to a private
registry, the task definition run as pods behind the local load balancer), `make smoke`, a
rollout to a second image tag under traffic (`make deploy MODULE=compute IMAGE_TAG=...`),
`make smoke` again and `make down`. The page shows what that run read back: the emulator's
ECS and ELB APIs (DescribeServices, ListTasks, DescribeTaskDefinition, DescribeTargetGroups),
the containers running the tasks, the smoke tests' lines and the version every request of
the rollout got. Headless Chromium takes the picture. The data of the run is kept as JSON
next to the other run files; --data renders a kept run again without deploying.
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import requests

from devtools.screenshots import capture
from localenv.daemon import ROOT, run_dir
from localenv.ecs import free_port

# The rollout's image: this checkout again, under a second tag, as a new release reaches ECS
# (make test-containers rolls out the same way).
SECOND_TAG = "feedbee"
HEIGHT = 1180


@dataclass(frozen=True)
class Deployment:
    """Private ports and directories of one run: make's variables and environment."""

    emulator_port: int
    registry_port: int
    lb_port: int
    work: Path

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
        # The emulator accepts any credentials: fixed ones keep a real profile out of it.
        credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        return boto3.client(
            service,
            endpoint_url=f"http://127.0.0.1:{self.emulator_port}",
            region_name="us-east-1",
            **credentials,
        )


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
    """The ECS service, its task definition and target group, as the emulator's API says."""
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
    config = service.get("deploymentConfiguration", {})
    breaker = config.get("deploymentCircuitBreaker", {})
    network = service.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
    return {
        "cluster": short(cluster),
        "service": service["serviceName"],
        "status": service["status"],
        "launch_type": service.get("launchType", "?"),
        "desired": service["desiredCount"],
        "listed_tasks": len(
            ecs.list_tasks(cluster=cluster, serviceName=service["serviceName"])["taskArns"]
        ),
        "task_definition": short(service["taskDefinition"]),
        "deployment": (
            f"rolling, {config.get('minimumHealthyPercent', '?')}-"
            f"{config.get('maximumPercent', '?')} %, circuit breaker "
            + ("with rollback" if breaker.get("rollback") else "on" if breaker else "off")
        ),
        "network": (
            f"awsvpc, {len(network.get('subnets', []))} private subnets, public IP "
            f"{network.get('assignPublicIp', '?')}"
        ),
        "target_group": (
            f"{group['TargetGroupName']}: {balancer['containerName']}:"
            f"{balancer['containerPort']}, health check {group.get('HealthCheckPath', '/')}"
        ),
        "load_balancer": (
            albs["LoadBalancers"][0]["DNSName"] if albs.get("LoadBalancers") else "(none)"
        ),
        "cpu_memory": f"{definition.get('cpu', '?')} CPU, {definition.get('memory', '?')} MiB",
        "containers": [
            {
                "name": container["name"],
                "image": container["image"].rsplit("/", 1)[-1],
                "user": container.get("user", "(image's)"),
                "read_only": bool(container.get("readonlyRootFilesystem")),
                "health": " ".join(container.get("healthCheck", {}).get("command", [])[1:])[:60],
                "ports": ", ".join(
                    str(mapping["containerPort"]) for mapping in container.get("portMappings", [])
                ),
            }
            for container in definition["containerDefinitions"]
        ],
    }


def running_containers(deployment: Deployment) -> list[dict[str, str]]:
    """The containers of this run's tasks: those from images of its private registry."""
    listed = subprocess.run(
        [str(ROOT / "localenv" / "podman"), "ps", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        return []
    registry = f"127.0.0.1:{deployment.registry_port}/"
    return sorted(
        (
            {
                "pod": str(c.get("PodName") or "-"),
                "name": str(c["Names"][0]),
                "image": str(c["Image"]).removeprefix(registry),
                "status": str(c.get("Status", c.get("State", "?"))),
            }
            for c in json.loads(listed.stdout or "[]")
            if str(c.get("Image", "")).startswith(registry)
        ),
        key=lambda c: (c["pod"], c["name"]),
    )


def deploy_summary(output: str) -> dict[str, Any]:
    applied = [int(n) for n in re.findall(r"Apply complete! Resources: (\d+) added", output)]
    return {"units": len(applied), "resources": sum(applied)}


def smoke_lines(output: str) -> list[str]:
    return [line[:150] for line in output.splitlines() if re.match("PASS|FAIL|smoke-test:", line)]


def collect(out_json: Path) -> dict[str, Any]:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="deployment-picture-") as work:
        deployment = Deployment(free_port(), free_port(), free_port(), Path(work))
        try:
            deployment.make("-s", "emulator")
            output, deploy_seconds = deployment.make("deploy", f"IMAGE_TAG={head}")
            smoke_before, _ = deployment.make("-s", "smoke")
            ecs_before = ecs_view(deployment)
            containers_before = running_containers(deployment)
            with Traffic(deployment.url).running() as traffic:
                time.sleep(2)  # the old version answering, before the rollout starts
                rollout_output, rollout_seconds = deployment.make(
                    "deploy", "MODULE=compute", f"IMAGE_TAG={SECOND_TAG}"
                )
                time.sleep(2)
            smoke_after, _ = deployment.make("-s", "smoke")
            ecs_after = ecs_view(deployment)
            containers_after = running_containers(deployment)
        finally:
            deployment.make("-s", "down")
    data = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": head,
        "second_tag": SECOND_TAG,
        "deploy": {**deploy_summary(output), "seconds": round(deploy_seconds)},
        "smoke_before": smoke_lines(smoke_before),
        "ecs_before": ecs_before,
        "containers_before": containers_before,
        "rollout": {
            "seconds": round(rollout_seconds),
            "samples": traffic.samples,
            "units": deploy_summary(rollout_output)["units"],
        },
        "smoke_after": smoke_lines(smoke_after),
        "ecs_after": ecs_after,
        "containers_after": containers_after,
    }
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(data, indent=1))
    return data


# -- the page -------------------------------------------------------------------------------
OK, BAD, OLD, NEW = "#2e7d32", "#c62828", "#546e7a", "#2e7d32"
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; color: #212121;
       background: #fafafa; }
header { background: #263238; color: #fff; padding: 14px 24px; }
header h1 { font-size: 24px; margin: 0 0 4px; }
header p { margin: 0; font-size: 14px; color: #cfd8dc; }
main { padding: 14px 24px; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin-bottom: 14px; }
.tile { border-radius: 6px; padding: 10px 14px; color: #fff; }
.tile .big { font-size: 24px; font-weight: bold; }
.tile .small { font-size: 13px; opacity: 0.95; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
h2 { font-size: 17px; margin: 10px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; background: #fff; }
td, th { border: 1px solid #ddd; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
pre { background: #1e1e1e; color: #e0e0e0; padding: 8px 10px; margin: 0; border-radius: 4px;
      white-space: pre-wrap; word-break: break-all; }
.pass { color: #81c784; } .fail { color: #ef5350; }
.healthy { color: #2e7d32; font-weight: bold; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 14px;
               vertical-align: middle; border-radius: 2px; }
.note { font-size: 12px; color: #555; margin: 4px 0 0; }
"""


def esc(value: object) -> str:
    return html.escape(str(value))


def table(rows: Sequence[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def tile(colour: str, big: str, small: str) -> str:
    return (
        f'<div class="tile" style="background:{colour}"><div class="big">{esc(big)}</div>'
        f'<div class="small">{esc(small)}</div></div>'
    )


def terminal(command: str, lines: Sequence[str]) -> str:
    def colour(line: str) -> str:
        if line.startswith("PASS"):
            return f'<span class="pass">PASS</span>{esc(line[4:])}'
        if line.startswith("FAIL"):
            return f'<span class="fail">FAIL</span>{esc(line[4:])}'
        return esc(line)

    return f"<pre>$ {esc(command)}\n" + "\n".join(colour(line) for line in lines) + "</pre>"


def version_label(version: str, data: dict[str, Any]) -> str:
    if version == data["commit"]:
        return f"{version[:12]} (first deploy)"
    return f"{version} (rollout)" if version == data["second_tag"] else version


def timeline(data: dict[str, Any], width: int = 1230, height: int = 70) -> str:
    """One column per half second of the rollout: the share of requests each version (or an
    error) answered."""
    samples = data["rollout"]["samples"]
    if not samples:
        return "<p>no request was sent</p>"
    step = 0.5
    buckets: dict[int, list[str]] = {}
    for seconds, outcome in samples:
        buckets.setdefault(int(seconds / step), []).append(outcome)
    count = max(buckets) + 1
    column = width / count
    shapes = []
    for index, outcomes in sorted(buckets.items()):
        y = float(height)
        for kind, colour in (("old", OLD), ("new", NEW), ("error", BAD)):
            share = sum(1 for o in outcomes if classify(o, data) == kind) / len(outcomes)
            if share:
                y -= share * height
                shapes.append(
                    f'<rect x="{index * column:.1f}" y="{y:.1f}" width="{column + 0.6:.1f}" '
                    f'height="{share * height:.1f}" fill="{colour}"/>'
                )
    ticks = "".join(
        f'<text x="{s / step * column:.0f}" y="{height + 14}" font-size="11">{s} s</text>'
        for s in range(0, int(count * step), 10)
    )
    return f'<svg width="{width}" height="{height + 18}">{"".join(shapes)}{ticks}</svg>'


def classify(outcome: str, data: dict[str, Any]) -> str:
    if outcome == data["commit"]:
        return "old"
    return "new" if outcome == data["second_tag"] else "error"


def containers_table(containers: Sequence[dict[str, str]]) -> str:
    if not containers:
        return "<p>no container list (podman ps answered nothing)</p>"
    rows = "".join(
        f"<tr><td>{esc(c['pod'])}</td><td>{esc(c['name'])}</td><td><code>{esc(c['image'])}"
        f'</code></td><td class="{"healthy" if "(healthy)" in c["status"] else ""}">'
        f"{esc(c['status'])}</td></tr>"
        for c in containers
    )
    return (
        "<table><tr><th>pod (one per task)</th><th>container</th><th>image (local registry)</th>"
        f"<th>status</th></tr>{rows}</table>"
    )


def render(data: dict[str, Any]) -> str:
    ecs, after = data["ecs_before"], data["ecs_after"]
    samples = data["rollout"]["samples"]
    kinds = [classify(outcome, data) for _, outcome in samples]
    failed = kinds.count("error")
    smoke = data["smoke_before"] + data["smoke_after"]
    passed = sum(line.startswith("PASS") for line in smoke)
    checks = sum(line.startswith(("PASS", "FAIL")) for line in smoke)
    tiles = "".join(
        [
            tile(
                OK,
                f"{data['deploy']['units']} units applied",
                f"make deploy ENV=local: {data['deploy']['resources']} resources, images pushed, "
                f"tasks started, {data['deploy']['seconds']} s",
            ),
            tile(
                OK if len(data["containers_before"]) else BAD,
                f"{ecs['service']} {ecs['status']}",
                f"{ecs['launch_type']}, desired {ecs['desired']}, task definition "
                f"{ecs['task_definition']} then {after['task_definition']}",
            ),
            tile(
                OK if checks and passed == checks else BAD,
                f"smoke {passed}/{checks} passed",
                "make smoke through the load balancer, before and after the rollout",
            ),
            tile(
                OK if not failed else BAD,
                f"rollout: {failed} failed",
                f"{len(samples)} requests during make deploy MODULE=compute "
                f"IMAGE_TAG={data['second_tag']} ({data['rollout']['seconds']} s)",
            ),
        ]
    )
    service_rows = [
        ("cluster / service", f"{esc(ecs['cluster'])} / {esc(ecs['service'])}"),
        ("launch type, count", f"{esc(ecs['launch_type'])}, desired {ecs['desired']}"),
        ("task definition", f"{esc(ecs['task_definition'])}, {esc(ecs['cpu_memory'])}"),
        ("deployment", esc(ecs["deployment"])),
        ("network", esc(ecs["network"])),
        ("target group", esc(ecs["target_group"])),
        ("load balancer", f"<code>{esc(ecs['load_balancer'])}</code>"),
        ("ListTasks", f"{ecs['listed_tasks']} (the emulator runs no container: the runner does)"),
    ]
    definition_rows = "".join(
        f"<tr><td>{esc(c['name'])}</td><td><code>{esc(c['image'])}</code></td>"
        f"<td>{esc(c['ports'] or '-')}</td><td>{esc(c['user'])}</td>"
        f"<td>{'yes' if c['read_only'] else 'no'}</td><td><code>{esc(c['health'])}</code></td></tr>"
        for c in ecs["containers"]
    )
    seen = list(zip((t for t, _ in samples), kinds, strict=True))
    first_new = next((t for t, kind in seen if kind == "new"), None)
    last_old = max((t for t, kind in seen if kind == "old"), default=None)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>sumapi deployed to the emulated AWS account</title><style>{STYLE}</style></head><body>
<header><h1>sumapi deployed to the emulated AWS account: deploy, smoke test, rollout</h1>
<p>make deploy ENV=local &rarr; make smoke &rarr;
make deploy MODULE=compute IMAGE_TAG={esc(data["second_tag"])} &rarr; make smoke,
on {esc(data["date"])}, commit {esc(data["commit"][:12])}. Every value
was read back from that run: the emulator's ECS and ELB APIs, podman, the smoke test
(devtools/deployment_picture.py).</p></header>
<main>
<div class="tiles">{tiles}</div>
<div class="cols">
<div>
<h2>The ECS service, as the emulator's API describes it</h2>
{table(service_rows)}
<h2>Its task definition ({esc(ecs["task_definition"])})</h2>
<table><tr><th>container</th><th>image</th><th>port</th><th>user</th><th>read-only root</th>
<th>health check</th></tr>{definition_rows}</table>
</div>
<div>
<h2>The tasks running it (local ECS runner: a podman pod per task)</h2>
{containers_table(data["containers_before"])}
<h2>Smoke test through the load balancer</h2>
{terminal("make smoke ENV=local", data["smoke_before"])}
</div>
</div>
<h2>Rollout under traffic: which version answered each request to /healthz</h2>
<div class="legend"><span style="background:{OLD}"></span>{esc(version_label(data["commit"], data))}
<span style="background:{NEW}"></span>{esc(version_label(data["second_tag"], data))}
<span style="background:{BAD}"></span>failed ({failed} of {len(samples)})</div>
{timeline(data)}
<p class="note">make deploy MODULE=compute IMAGE_TAG={esc(data["second_tag"])} (this checkout
under a second tag) registered {esc(after["task_definition"])}; the runner started its tasks,
waited for them to be healthy, moved the load balancer to them and drained the old ones.
First answer from the new version after {first_new} s, last from the old one after {last_old} s.</p>
<div class="cols">
<div><h2>After the rollout: the tasks</h2>{containers_table(data["containers_after"])}</div>
<div><h2>After the rollout: smoke test</h2>
{terminal("make smoke ENV=local", data["smoke_after"])}</div>
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
