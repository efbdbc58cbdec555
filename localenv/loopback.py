"""Ports and HTTP answers on 127.0.0.1, for whatever starts servers here: the tests (through
tests/harness/loopback) and the bench.

Readiness is always an HTTP answer, never a TCP connect: on Linux a connect to a port of the
ephemeral range that nothing listens on yet can connect to itself and look like a listener.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

HOST = "127.0.0.1"


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Below the kernel's ephemeral range (Linux's default starts at 32768), above the well-known
# ports and the defaults this project's servers use (5000, 8000, 8080, 8088...).
LOWEST_PORT = 10_000


def free_port() -> int:
    """A port nothing listens on, outside the kernel's ephemeral range.

    Outside it, because the readiness polls connect to the port before the server binds it: a
    connect is given an ephemeral source port, and one equal to the destination connects to
    itself, which also holds the port against the server's bind (EADDRINUSE). Successive
    connects to one destination walk the ephemeral range, so a server port inside it is hit
    within a few hundred polls. Random within the range left, so that parallel runs rarely pick
    the same one; bound with SO_REUSEADDR to check, as servers bind (TIME_WAIT is no listener).
    """
    try:
        ephemeral_low = int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32_768
    for _ in range(200):
        port = random.randrange(LOWEST_PORT, ephemeral_low)  # noqa: S311 - not a secret
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {LOWEST_PORT}-{ephemeral_low - 1} on {HOST}")


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
