"""Helpers shared by the test suites that start real processes on loopback."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from aiohttp import web

from sumapi.app import create_app
from sumapi.config import Config
from sumapi.lifecycle import Phase
from sumapi.state import LIFECYCLE

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_status(url: str, timeout: float = 1.0) -> int | None:
    """The status of a GET, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException):
        # HTTPException: what answered is not an HTTP server (e.g. a socket connected to itself).
        return None


def wait_for_status(url: str, expected: int, timeout: float = 15.0) -> float:
    """Polls until url answers `expected`; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if http_status(url, timeout=0.5) == expected:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"{url} did not answer {expected} within {timeout}s")


@contextlib.contextmanager
def running_service(
    port: int,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    module: str = "sumapi",
) -> Iterator[subprocess.Popen[bytes]]:
    """Starts `python -m <module>` on 127.0.0.1:port and stops it (SIGKILL if it hangs)."""
    child_env = {
        **os.environ,
        "SUMAPI_HOST": "127.0.0.1",
        "SUMAPI_PORT": str(port),
        **(env or {}),
    }
    with contextlib.ExitStack() as stack:
        if log_path is not None:
            out = stack.enter_context(log_path.open("wb"))
        else:
            out = stack.enter_context(open(os.devnull, "wb"))
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        try:
            wait_for_status(f"http://127.0.0.1:{port}/readyz", 200)
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def ready_app(config: Config) -> web.Application:
    """The app as sumapi.server leaves it once it listens."""
    app = create_app(config)
    app[LIFECYCLE].phase = Phase.READY
    return app
