"""Real processes on loopback for the gateway tests: sumapi instances and nginx.

Every process gets a minimal environment (nothing leaks in from the caller's shell), its output in
a file under the test's temporary directory, and is stopped (then killed if it hangs) on exit.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import ROOT, free_port, http_status, wait_for_status

RENDER = ROOT / "nginx" / "render"
GATEWAY = ROOT / "nginx" / "gateway"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SUM_PATH = "/api/v1/sum"


def new_key() -> str:
    """A key in the format the key tool produces: 43 characters of [A-Za-z0-9_-]."""
    return secrets.token_urlsafe(32)


def base_env(**extra: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """Parses every line; a line that is not JSON fails the caller's test."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def records_with_request_id(
    path: Path, request_id: str, timeout: float = 3.0
) -> list[dict[str, Any]]:
    """The log records of one request. nginx writes its access log line after the response is
    sent (and the app may too), so a client can read the log before the line is there: poll."""
    deadline = time.monotonic() + timeout
    while True:
        found = [r for r in read_json_lines(path) if r.get("request_id") == request_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


@dataclass
class Process:
    """A started child process with its output captured in files."""

    popen: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        return self.popen.returncode


def spawn(argv: list[str], env: dict[str, str], log_dir: Path, name: str) -> Process:
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout = log_dir / f"{name}.stdout"
    stderr = log_dir / f"{name}.stderr"
    with stdout.open("ab") as out, stderr.open("ab") as err:
        popen = subprocess.Popen(argv, env=env, stdout=out, stderr=err, cwd=ROOT)
    return Process(popen, stdout, stderr)


@dataclass
class App:
    port: int
    log_dir: Path
    name: str = "app"
    env: dict[str, str] = field(default_factory=dict)
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> App:
        env = base_env(
            SUMAPI_HOST="127.0.0.1",
            SUMAPI_PORT=str(self.port),
            SUMAPI_DRAIN_SECONDS="1",
            SUMAPI_SHUTDOWN_TIMEOUT_SECONDS="5",
            **self.env,
        )
        self.process = spawn([sys.executable, "-m", "sumapi"], env, self.log_dir, self.name)
        try:
            wait_for_status(self.url + "/readyz", 200)
        except AssertionError:
            self.stop()
            raise
        return self

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        return self.process.stop(sig)


@dataclass
class Gateway:
    run_dir: Path
    env: dict[str, str]
    port: int
    process: Process | None = None
    run_as: list[str] = field(default_factory=list)  # e.g. a setpriv prefix

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        assert self.process is not None
        return self.process.stdout

    @property
    def error_log(self) -> Path:
        assert self.process is not None
        return self.process.stderr

    def start(self) -> Gateway:
        env = base_env(
            GATEWAY_RUN_DIR=str(self.run_dir),
            NGINX_BIN=NGINX,
            LISTEN_ADDR="127.0.0.1",
            LISTEN_PORT=str(self.port),
            **self.env,
        )
        argv = [*self.run_as, "sh", str(GATEWAY)]
        self.process = spawn(argv, env, self.run_dir.parent, "gateway")
        # An HTTP answer, not a TCP connect: on Linux a connect to a not-yet-listening port in
        # the ephemeral range can connect to itself and look like a listener.
        deadline = time.monotonic() + 10
        while http_status(self.url + "/healthz", timeout=0.5) is None:
            if self.process.popen.poll() is not None:
                raise RuntimeError("gateway exited: " + self.process.stderr.read_text())
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("gateway did not answer HTTP")
            time.sleep(0.05)
        return self

    def stop(self) -> int:
        assert self.process is not None
        # SIGQUIT is nginx's graceful shutdown.
        return self.process.stop(signal.SIGQUIT)


@contextmanager
def running_app(log_dir: Path, name: str = "app", **env: str) -> Iterator[App]:
    app = App(free_port(), log_dir, name, env).start()
    try:
        yield app
    finally:
        app.stop()


@contextmanager
def running_gateway(run_dir: Path, **env: str) -> Iterator[Gateway]:
    gateway = Gateway(run_dir, env, free_port()).start()
    try:
        yield gateway
    finally:
        gateway.stop()


# The renderer must work with dash (Debian's sh: make run, tests) and busybox ash (the image).
SHELLS = [["sh"]] + ([["busybox", "sh"]] if shutil.which("busybox") else [])


def render(
    run_dir: Path, shell: list[str] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(shell or ["sh"]), str(RENDER), str(run_dir)],
        env=base_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def nginx_test(run_dir: Path) -> subprocess.CompletedProcess[str]:
    conf = run_dir / "nginx.conf"
    return subprocess.run(
        [NGINX, "-t", "-p", str(run_dir), "-e", "stderr", "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
