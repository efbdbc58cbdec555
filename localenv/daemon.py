"""A background process of the local environment: started once, found by its pid file, stopped.

The local registry and the load-balancer stand-in are such processes. Each has one pid file
per port under .run/, so tests can run their own next to a developer's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from localenv.ports import in_use

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


class DaemonError(RuntimeError):
    """A one-line reason why a local process could not be started."""


def run_dir() -> Path:
    return Path(os.environ.get("SUMAPI_RUN_DIR", ROOT / ".run"))


def http_answers(url: str) -> bool:
    """True when an HTTP server answers url at all (any status): a TCP connect is not enough."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback URL we built)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class Daemon:
    name: str
    port: int
    ready_url: str

    @property
    def pid_file(self) -> Path:
        return run_dir() / f"{self.name}-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return run_dir() / f"{self.name}-{self.port}.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return None
        return pid

    def start(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
        """Starts argv unless this daemon already runs; returns a one-line status."""
        pid = self.pid()
        if pid is not None and http_answers(self.ready_url):
            return f"{self.name}: already running on 127.0.0.1:{self.port} (pid {pid})"
        if in_use(self.port):
            raise DaemonError(
                f"{self.name}: port {self.port} is taken by a process this tool did not start; "
                f"stop it or choose another port"
            )
        run_dir().mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                list(argv),
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives `make`, which started it
            )
        self.pid_file.write_text(f"{process.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise DaemonError(
                    f"{self.name}: exited with {process.returncode} at start, see {self.log_file}"
                )
            if http_answers(self.ready_url):
                return f"{self.name}: running on 127.0.0.1:{self.port} (pid {process.pid})"
            time.sleep(0.1)
        self.stop()
        raise DaemonError(
            f"{self.name}: no answer on {self.ready_url} within {START_TIMEOUT_SECONDS:.0f}s"
        )

    def signal(self, signum: int) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
        return True

    def stop(self) -> str:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return f"{self.name}: not running on port {self.port}"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while time.monotonic() < deadline and self.pid() is not None:
            time.sleep(0.1)
        if self.pid() is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return f"{self.name}: stopped (pid {pid})"
