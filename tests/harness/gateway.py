"""The nginx gateway, as the image runs it: nginx/render writes the configuration, nginx/gateway
renders and starts nginx in the foreground (access log on stdout, error log on stderr)."""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.harness import ROOT
from tests.harness.loopback import HOST, free_port
from tests.harness.processes import Process, base_env, spawn

RENDER = ROOT / "nginx" / "render"
GATEWAY = ROOT / "nginx" / "gateway"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SUM_PATH = "/api/v1/sum"
# The renderer must work with dash (Debian's sh: make run, tests) and busybox ash (the image).
# `make test-gateway` installs busybox; a run without it fails its cases instead of dropping them.
SHELLS = [["sh"], ["busybox", "sh"]]


def installed(command: str, package: str) -> str:
    """The path of command, or a test failure naming the package make installs it from."""
    found = shutil.which(command)
    if found is None:
        pytest.fail(f"{command} is not installed: run through `make test-gateway` (apt: {package})")
    return found


def new_key() -> str:
    """A key in the format the key tool produces: 43 characters of [A-Za-z0-9_-]."""
    return secrets.token_urlsafe(32)


def render(
    run_dir: Path, shell: list[str] | None = None, /, **settings: str
) -> subprocess.CompletedProcess[str]:
    """nginx/render into run_dir with these settings (the gateway's environment variables)."""
    return subprocess.run(
        [*(shell or ["sh"]), str(RENDER), str(run_dir)],
        env=base_env(**settings),
        capture_output=True,
        text=True,
        check=False,
    )


def nginx_test(run_dir: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` of what render wrote into run_dir."""
    conf = run_dir / "nginx.conf"
    return subprocess.run(
        [NGINX, "-t", "-p", str(run_dir), "-e", "stderr", "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )


@dataclass
class Gateway:
    run_dir: Path
    settings: dict[str, str]
    port: int
    process: Process | None = None
    run_as: list[str] = field(default_factory=list)  # e.g. a setpriv prefix

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def access_log(self) -> Path:
        assert self.process is not None, "the gateway was not started"
        return self.process.stdout

    @property
    def error_log(self) -> Path:
        assert self.process is not None, "the gateway was not started"
        return self.process.stderr

    def start(self) -> Gateway:
        env = base_env(
            GATEWAY_RUN_DIR=str(self.run_dir),
            NGINX_BIN=NGINX,
            LISTEN_ADDR=HOST,
            LISTEN_PORT=str(self.port),
            **self.settings,
        )
        argv = [*self.run_as, "sh", str(GATEWAY)]
        self.process = spawn(argv, env, self.run_dir.parent, "gateway")
        # Any HTTP answer: nginx answers /healthz itself (a 502 problem) while no upstream does.
        self.process.wait_for_status(self.url + "/healthz", expected=None, timeout=10)
        return self

    def stop(self) -> int:
        assert self.process is not None, "the gateway was not started"
        return self.process.stop(signal.SIGQUIT)  # nginx's graceful shutdown


@contextmanager
def running_gateway(run_dir: Path, **settings: str) -> Iterator[Gateway]:
    gateway = Gateway(run_dir, settings, free_port()).start()
    try:
        yield gateway
    finally:
        gateway.stop()
