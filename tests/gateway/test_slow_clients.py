"""Slow and greedy clients against the real gateway: stalled connections cost others nothing.

A slowloris client opens many connections and sends its request a byte at a time (or its body
never); the gateway must keep serving everyone else and close the stalled ones by its header
and body timeouts. Bounded: loopback only, a few hundred sockets, under a minute.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import requests

from tests.gateway.clients import Keys
from tests.harness import ROOT
from tests.harness.gateway import Gateway

STALLED = 300
TEMPLATE = ROOT / "nginx" / "templates" / "nginx.conf.template"
CONNECTIONS_PER_IP = int(re.findall(r"limit_conn conn_per_ip (\d+);", TEMPLATE.read_text())[0])


def timeout_seconds(directive: str) -> int:
    match = re.search(rf"^\s*{directive} (\d+)s;", TEMPLATE.read_text(), re.MULTILINE)
    assert match, directive
    return int(match.group(1))


@pytest.fixture
def stalled(gateway: Gateway, keys: Keys) -> Iterator[list[socket.socket]]:
    """STALLED connections from one IP: half of them mid-header, half with a body that never
    arrives (with a valid key of the high-rate class, so rate limits do not end them first)."""
    with ExitStack() as stack:
        sockets = []
        for index in range(STALLED):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", gateway.port)))
            if index % 2:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            else:
                sock.sendall(
                    b"POST /api/v1/sum HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"X-API-Key: " + keys.tester.encode() + b"\r\nContent-Length: 100\r\n\r\n{"
                )
            sockets.append(sock)
        yield sockets


def test_traffic_is_served_while_many_connections_stall(
    gateway: Gateway, stalled: list[socket.socket]
) -> None:
    latencies = []
    # Another client: the gateway trusts X-Forwarded-For from 127.0.0.1 (as from the ALB).
    other_client = {"X-Forwarded-For": "198.51.100.7"}
    with requests.Session() as session:
        for _ in range(100):
            started = time.monotonic()
            response = session.get(f"{gateway.url}/healthz", headers=other_client, timeout=5)
            latencies.append(time.monotonic() - started)
            assert response.status_code == 200
    latencies.sort()
    p99 = latencies[98]
    print(f"\n{STALLED} stalled connections open: 100/100 requests served, p99 {p99 * 1000:.1f} ms")
    assert p99 < 0.5


def test_stalled_connections_are_closed_by_the_timeouts(
    gateway: Gateway, stalled: list[socket.socket]
) -> None:
    header_timeout = timeout_seconds("client_header_timeout")
    body_timeout = timeout_seconds("client_body_timeout")
    deadline = time.monotonic() + max(header_timeout, body_timeout) + 10
    outcomes: dict[str, int] = {}
    for sock in stalled:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except TimeoutError:
            outcome = "still open"
        except ConnectionResetError:
            outcome = "reset"
        else:
            # A timed-out header or body gets no answer (nginx just closes: the client is not
            # reading); bodies past the per-IP connection limit got a 429 at once.
            outcome = data.split(b"\r\n", 1)[0].decode() if data else "closed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print(f"\nafter the timeouts ({header_timeout}s header, {body_timeout}s body): {outcomes}")
    assert "still open" not in outcomes, outcomes
    closed = outcomes.get("closed", 0) + outcomes.get("reset", 0)
    refused = outcomes.get("HTTP/1.1 429 Too Many Requests", 0)
    assert closed == STALLED // 2 + CONNECTIONS_PER_IP, outcomes
    assert refused == STALLED // 2 - CONNECTIONS_PER_IP, outcomes
