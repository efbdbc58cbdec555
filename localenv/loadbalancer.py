"""The load balancer of the local deployment: nginx standing in for the ALB and its target group.

Targets are the host ports of the local tasks' gateway containers. The local ECS agent
(localenv/ecs.py) registers them and health-checks each one as the target group says
(`HealthCheck`, `TargetHealth`: path, matcher, interval, timeout, healthy and unhealthy
thresholds, read from the emulator's target group); nginx routes to the healthy ones, or to
every registered one when none is healthy (the ALB's fail-open). Changing them rewrites the
upstream list and reloads nginx (SIGHUP): connections in flight on a removed target finish, new
ones go to the others, as with the ALB. With no target it answers 503 like an ALB without
healthy targets.
"""

from __future__ import annotations

import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localenv.daemon import Daemon, DaemonError, run_dir

CONFIG = """\
# Written by localenv/loadbalancer.py: the ALB stand-in of the local deployment.
worker_processes 1;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 1m;
    # Started by root, nginx's workers run as nobody, which cannot write under a private run
    # directory: bodies and responses are streamed, never buffered to a temp file.
    client_body_buffer_size 1m;
    proxy_request_buffering off;
    proxy_buffering off;
    # One request per client connection: (de)registering a target reloads nginx, whose old
    # workers then close their idle keep-alive connections, and a client that sends on one at
    # that moment gets a connection error. An ALB changes targets without touching client
    # connections; closing each after its response is the faithful part of that here.
    keepalive_timeout 0;
{upstream}
    server {{
        listen 127.0.0.1:{port};
        location / {{
{route}
        }}
    }}
}}
"""
ROUTE = """\
            proxy_pass http://targets;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            # What the ALB adds: the gateway trusts X-Forwarded-For from its TRUSTED_PROXIES only.
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto http;
            proxy_next_upstream off;"""
NO_TARGET = """\
            default_type application/json;
            return 503 '{"message": "no healthy target (local load balancer)"}';"""


@dataclass(frozen=True)
class HealthCheck:
    """A target group's health check, as DescribeTargetGroups gives it."""

    path: str
    interval: float
    timeout: float
    healthy_threshold: int
    unhealthy_threshold: int
    matcher: str  # ALB syntax: "200", "200,202", "200-299"

    @classmethod
    def of(cls, group: Mapping[str, Any]) -> HealthCheck:
        return cls(
            path=group.get("HealthCheckPath") or "/",
            interval=float(group.get("HealthCheckIntervalSeconds") or 30),
            timeout=float(group.get("HealthCheckTimeoutSeconds") or 5),
            healthy_threshold=int(group.get("HealthyThresholdCount") or 5),
            unhealthy_threshold=int(group.get("UnhealthyThresholdCount") or 2),
            matcher=(group.get("Matcher") or {}).get("HttpCode") or "200",
        )

    def matches(self, status: int) -> bool:
        for part in self.matcher.split(","):
            low, _, high = part.strip().partition("-")
            if int(low) <= status <= int(high or low):
                return True
        return False

    def probe(self, port: int) -> bool:
        """One check of the target on 127.0.0.1:port: an answer the matcher accepts, in time."""
        url = f"http://127.0.0.1:{port}{self.path}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return self.matches(int(response.status))
        except urllib.error.HTTPError as error:
            return self.matches(error.code)
        except OSError:
            return False


class TargetHealth:
    """One registered target as the ALB sees it: initial until healthy_threshold checks in a
    row pass, unhealthy after unhealthy_threshold in a row fail. The first check is at once."""

    def __init__(self, check: HealthCheck) -> None:
        self.check = check
        self.state = "initial"
        self._streak = 0  # consecutive results in the direction of the last one (+ok / -fail)
        self.next_check = time.monotonic()
        self.probing = False

    def due(self, now: float) -> bool:
        return not self.probing and now >= self.next_check

    def record(self, ok: bool, now: float) -> None:
        self.probing = False
        self.next_check = now + self.check.interval
        if ok:
            self._streak = max(self._streak, 0) + 1
            if self._streak >= self.check.healthy_threshold:
                self.state = "healthy"
        else:
            self._streak = min(self._streak, 0) - 1
            if -self._streak >= self.check.unhealthy_threshold:
                self.state = "unhealthy"


def routed(targets: Mapping[int, TargetHealth]) -> list[int]:
    """Where the ALB sends requests: the healthy targets, else every registered one."""
    healthy = sorted(port for port, health in targets.items() if health.state == "healthy")
    return healthy or sorted(targets)


class LoadBalancer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = run_dir() / f"lb-{port}"
        self.daemon = Daemon("loadbalancer", port, f"http://127.0.0.1:{port}/")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _write(self, targets: Sequence[int]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if targets:
            servers = "".join(f"        server 127.0.0.1:{port};\n" for port in targets)
            upstream = f"    upstream targets {{\n{servers}        keepalive 16;\n    }}\n"
            route = ROUTE
        else:
            upstream, route = "", NO_TARGET
        (self.dir / "nginx.conf").write_text(
            CONFIG.format(dir=self.dir, port=self.port, upstream=upstream, route=route)
        )

    def set_targets(self, targets: Sequence[int]) -> None:
        """Routes to exactly these targets: started when needed, else reloaded."""
        self._write(targets)
        if self.daemon.pid() is None:
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            self.daemon.start(
                [
                    nginx,
                    "-p",
                    str(self.dir),
                    "-e",
                    "stderr",
                    "-c",
                    str(self.dir / "nginx.conf"),
                    "-g",
                    "daemon off;",
                ]
            )
        elif not self.daemon.signal(signal.SIGHUP):
            raise DaemonError(f"loadbalancer: could not reload on port {self.port}")

    def stop(self) -> str:
        message = self.daemon.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return message
