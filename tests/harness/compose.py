"""compose.yaml run by a real Docker Compose (the v5 binary make builds) against this machine's
engine: Docker's own daemon where one answers, else podman's Docker API on a private socket
(localenv/docker_api.py), with the Debian-built bases where no registry serves the upstream
ones, as devtools/build-images decides.
"""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localenv.docker_api import UnixHTTPConnection, answers
from tests.harness import ROOT
from tests.harness.loopback import HOST, wait_for_status
from tests.harness.processes import base_env, spawn

COMPOSE = Path(os.environ.get("DOCKER_COMPOSE", ROOT / ".tools" / "bin" / "docker-compose"))
PODMAN = str(ROOT / "localenv" / "podman")
DOCKER_SOCKET = Path("/var/run/docker.sock")
UP_TIMEOUT = 900  # a cold build: pip installs the app's dependencies
KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")


def engine_name() -> str:
    return subprocess.run(
        [str(ROOT / "localenv" / "engine")], capture_output=True, text=True, check=True
    ).stdout.strip()


def native_platform() -> str:
    """compose builds for the host (no `platform:` in compose.yaml), so do its bases."""
    machine = platform.machine()
    return "linux/" + {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def bases() -> dict[str, str]:
    """PYTHON_IMAGE and NGINX_IMAGE built from Debian when no registry serves the Dockerfiles'
    upstream bases; nothing (the Dockerfiles' upstream stages) when one does."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    upstream = re.search(r"^FROM (\S+) AS python-upstream$", dockerfile, re.MULTILINE)
    assert upstream, "Dockerfile: no python-upstream stage"
    served = subprocess.run(
        [PODMAN, "manifest", "inspect", f"docker.io/{upstream.group(1)}"],
        capture_output=True,
        check=False,
    )
    if served.returncode == 0:
        return {}
    built = {}
    for kind in ("python", "nginx"):
        result = subprocess.run(
            [str(ROOT / "localenv" / "base-image"), kind, native_platform()],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"localenv/base-image {kind}: {result.stderr[-2000:]}"
        built[f"{kind.upper()}_IMAGE"] = result.stdout.strip()
    return built


@contextmanager
def engine(work: Path) -> Iterator[dict[str, str]]:
    """The environment compose needs to reach this machine's engine and build there."""
    if engine_name() == "docker":
        yield {}
        return
    socket_path = work / "docker.sock"
    # The same store as the bases (localenv/podman's default, or the caller's).
    store = {k: v for k, v in os.environ.items() if k == "SUMAPI_CONTAINER_STORE"}
    api = spawn(
        [sys.executable, "-m", "localenv.docker_api", "--socket", str(socket_path)],
        base_env(**store),
        work,
        "docker-api",
    )
    try:
        deadline = time.monotonic() + 30
        while not answers(socket_path):
            if api.popen.poll() is not None or time.monotonic() > deadline:
                raise api.failure("podman's Docker API did not answer")
            time.sleep(0.2)
        yield {"DOCKER_HOST": f"unix://{socket_path}", **bases()}
    finally:
        api.stop(signal.SIGTERM, timeout=20)


@dataclass
class Project:
    """One compose project of compose.yaml, on its own name and published port."""

    name: str
    port: int
    engine_env: dict[str, str]
    log_dir: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def compose(self, *args: str, timeout: float = 120) -> str:
        """Runs `docker-compose -p NAME -f compose.yaml ARGS`; its stdout. Fails on an error."""
        env = base_env(HOME=str(self.log_dir), GATEWAY_PORT=str(self.port), **self.engine_env)
        argv = [str(COMPOSE), "--project-name", self.name, "--file", str(ROOT / "compose.yaml")]
        result = subprocess.run(
            [*argv, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        with (self.log_dir / "compose.log").open("a") as log:
            log.write(f"$ compose {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        assert result.returncode == 0, (
            f"compose {' '.join(args)} exited {result.returncode}: {result.stderr[-3000:]}"
        )
        return result.stdout

    def start(self, *args: str) -> None:
        """`up --detach ARGS`, then waits until the gateway says the app is ready."""
        self.compose("up", "--detach", *args, timeout=UP_TIMEOUT)
        wait_for_status(f"{self.url}/readyz", 200, timeout=60)

    def containers(self) -> list[dict[str, Any]]:
        """`compose ps --all` as records: Service, State, ExitCode, Publishers..."""
        out = self.compose("ps", "--all", "--format", "json")
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def running(self) -> bool:
        return any(c["Service"] == "gateway" and c["State"] == "running" for c in self.containers())

    def dev_key(self) -> str:
        """The key the dev-key service printed last."""
        logs = self.compose("logs", "--no-color", "--no-log-prefix", "dev-key").splitlines()
        keys = [line.strip() for line in logs if KEY.match(line.strip())]
        assert keys, f"dev-key printed no key: {logs}"
        return keys[-1]

    def engine_objects(self) -> dict[str, list[Any]]:
        """What the engine still holds with this project's label: containers, volumes, networks."""
        host = self.engine_env.get("DOCKER_HOST", f"unix://{DOCKER_SOCKET}")
        filters = urllib.parse.quote(
            json.dumps({"label": [f"com.docker.compose.project={self.name}"]})
        )
        found: dict[str, list[Any]] = {}
        for kind, path in (
            ("containers", "/containers/json?all=1&"),
            ("volumes", "/volumes?"),
            ("networks", "/networks?"),
        ):
            connection = UnixHTTPConnection(Path(host.removeprefix("unix://")))
            connection.request("GET", f"{path}filters={filters}")
            body = json.loads(connection.getresponse().read())
            connection.close()
            found[kind] = (body["Volumes"] or []) if kind == "volumes" else body
        return found
