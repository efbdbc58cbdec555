"""Ports and HTTP answers on 127.0.0.1, for whatever starts servers here: the tests (through
tests/harness/loopback) and the bench.

Readiness is always an HTTP answer, never a TCP connect: on Linux a connect to a port of the
ephemeral range that nothing listens on yet can connect to itself and look like a listener.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable

HOST = "127.0.0.1"


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def http_status(url: str, timeout: float = 1.0) -> int | None:
    """The status of a GET, or None when nothing answers HTTP."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException):
        # HTTPException: what answered is not an HTTP server (e.g. a socket connected to itself).
        return None


def wait_for_status(
    url: str,
    expected: int | None = 200,
    timeout: float = 15.0,
    alive: Callable[[], bool] = lambda: True,
) -> float:
    """Polls until url answers `expected` (None: any HTTP status); returns the seconds it took.

    `alive` says whether whatever should answer still runs: once it returns False, waiting on is
    pointless and the wait fails at once.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        status = http_status(url, timeout=0.5)
        if status is not None and (expected is None or status == expected):
            return time.monotonic() - started
        if not alive():
            raise AssertionError(f"{url}: what should answer exited first")
        time.sleep(0.02)
    wanted = "an HTTP answer" if expected is None else str(expected)
    raise AssertionError(f"{url} did not answer {wanted} within {timeout}s")
