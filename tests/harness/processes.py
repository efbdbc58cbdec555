"""Child processes of the tests, and the service as one.

Every process gets a minimal environment (nothing leaks in from the caller's shell), its stdout
and stderr in files under the test's temporary directory, and is stopped on exit: a signal,
then a kill if it outlives the timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness import ROOT
from tests.harness.loopback import HOST, free_port, wait_for_status


def base_env(**extra: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


@dataclass
class Process:
    """A started child process with its output captured in files."""

    popen: subprocess.Popen[bytes]
    name: str
    stdout: Path
    stderr: Path
    own_group: bool = False  # signals go to its whole process group (what it started too)

    def send(self, sig: int) -> None:
        if self.own_group:
            os.killpg(self.popen.pid, sig)
        else:
            self.popen.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        """Sends sig and waits; kills what is still running after timeout. The exit status."""
        if self.popen.poll() is None:
            self.send(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.send(signal.SIGKILL)
                self.popen.wait(5)
        return self.popen.returncode

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def failure(self, reason: object) -> AssertionError:
        """Stops the process; the error names it, says why and shows the end of its output."""
        self.stop()
        return AssertionError(f"{self.name}: {reason}\n{self.output()[-4000:]}")

    def wait_for_status(self, url: str, expected: int | None = 200, timeout: float = 15.0) -> float:
        """wait_for_status while this process runs; on failure it is stopped, its output shown."""
        try:
            return wait_for_status(url, expected, timeout, alive=lambda: self.popen.poll() is None)
        except AssertionError as error:
            raise self.failure(error) from None

    def wait_for_output(self, text: str, timeout: float = 30.0) -> str:
        """Polls the captured stdout until it contains text; returns stdout so far."""
        deadline = time.monotonic() + timeout
        while text not in (written := self.stdout.read_text(errors="replace")):
            if self.popen.poll() is not None:
                raise self.failure(f"exited ({self.popen.returncode}) before printing {text!r}")
            if time.monotonic() > deadline:
                raise self.failure(f"did not print {text!r} within {timeout}s")
            time.sleep(0.05)
        return written


def spawn(
    argv: list[str], env: dict[str, str], log_dir: Path, name: str, own_group: bool = False
) -> Process:
    """Starts argv in the repository root; output goes to log_dir/<name>.stdout and .stderr."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout = log_dir / f"{name}.stdout"
    stderr = log_dir / f"{name}.stderr"
    with stdout.open("ab") as out, stderr.open("ab") as err:
        popen = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=ROOT,
            start_new_session=own_group,
        )
    return Process(popen, name, stdout, stderr, own_group)


# Short enough that stopping a service costs the tests little; the tests of the shutdown
# timeline set their own.
TEST_SHUTDOWN = {"SUMAPI_DRAIN_SECONDS": "1", "SUMAPI_SHUTDOWN_TIMEOUT_SECONDS": "5"}


@dataclass
class Service:
    """`python -m <module>` on 127.0.0.1:port: the service, or a test wrapper around its app."""

    port: int
    log_dir: Path
    name: str = "app"
    env: dict[str, str] = field(default_factory=dict)
    module: str = "sumapi"
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def popen(self) -> subprocess.Popen[bytes]:
        assert self.process is not None, f"{self.name} was not started"
        return self.process.popen

    @property
    def log(self) -> Path:
        """Every log line of the service goes to stdout (sumapi.logstream)."""
        assert self.process is not None, f"{self.name} was not started"
        return self.process.stdout

    def start(self) -> Service:
        env = base_env(
            SUMAPI_HOST=HOST, SUMAPI_PORT=str(self.port), **{**TEST_SHUTDOWN, **self.env}
        )
        argv = [sys.executable, "-m", self.module]
        self.process = spawn(argv, env, self.log_dir, self.name)
        self.process.wait_for_status(self.url + "/readyz", 200)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None, f"{self.name} was not started"
        return self.process.stop(sig)


@contextmanager
def running_service(
    log_dir: Path, name: str = "app", module: str = "sumapi", **env: str
) -> Iterator[Service]:
    """A started Service on a free port, ready (/readyz 200); stopped on exit."""
    service = Service(free_port(), log_dir, name, env, module).start()
    try:
        yield service
    finally:
        service.stop()
