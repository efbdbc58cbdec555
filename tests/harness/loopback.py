"""Ports and HTTP answers on 127.0.0.1 (localenv.loopback, which bench/ uses too: bench/ imports
nothing from tests/), and the two states a "port in use" check must tell apart: a listener (in
use) and connections left in TIME_WAIT (free).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

from localenv.loopback import HOST, free_port, http_status, wait_for_status

__all__ = [
    "HOST",
    "LISTEN",
    "TIME_WAIT",
    "free_port",
    "http_status",
    "leave_time_wait",
    "listening",
    "tcp_states",
    "wait_for_status",
]

TIME_WAIT = "06"  # socket states of /proc/net/tcp
LISTEN = "0A"


def tcp_states(port: int) -> list[str]:
    """The states of the IPv4 TCP sockets whose local port is `port` (/proc/net/tcp)."""
    states = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rpartition(":")[2], 16) == port:
            states.append(fields[3])
    return states


def leave_time_wait(port: int, connections: int = 3) -> None:
    """Serves `connections` connections on port and closes each from the server side first, as
    nginx does after a response: the server's ends stay in TIME_WAIT; the listener is gone."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, port))
        listener.listen()
        for _ in range(connections):
            client = socket.create_connection((HOST, port))
            served, _ = listener.accept()
            served.close()  # the active close: this end goes to TIME_WAIT
            assert client.recv(1) == b""  # the server's FIN arrived
            client.close()


@contextlib.contextmanager
def listening(port: int, host: str = HOST) -> Iterator[None]:
    """A listener on host:port (bound as servers bind, with SO_REUSEADDR) while in the block."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen()
        yield
