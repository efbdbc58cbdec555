"""Every "port in use" check of the local environment means: something listens there.

The false refusal it replaces: a port on which a server had just answered traffic holds closed
connections in TIME_WAIT for about a minute, and a plain bind() fails on it, while nginx and
the app (SO_REUSEADDR) would bind fine. `make observe` started after another run said "port
8080 (gateway) is in use". localenv/ports.py is the one check; `make run`, `make observe`, the
emulator and the local daemons all ask it.
"""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from localenv import observe
from localenv.daemon import Daemon, DaemonError
from localenv.ports import in_use
from tests.harness import ROOT
from tests.harness.loopback import (
    HOST,
    LISTEN,
    TIME_WAIT,
    free_port,
    leave_time_wait,
    listening,
    tcp_states,
)


@pytest.fixture
def time_wait_port() -> int:
    """A port with TIME_WAIT connections and no listener, on which a plain bind() fails."""
    port = free_port()
    leave_time_wait(port)
    assert TIME_WAIT in tcp_states(port)
    assert LISTEN not in tcp_states(port)
    with socket.socket() as plain, pytest.raises(OSError, match="in use") as refused:
        plain.bind((HOST, port))  # what the old check did: it called this port in use
    assert refused.value.errno == errno.EADDRINUSE
    return port


def test_a_port_with_only_time_wait_connections_is_free(time_wait_port: int) -> None:
    assert not in_use(time_wait_port)
    with listening(time_wait_port):  # and a server really binds it (as nginx would)
        assert LISTEN in tcp_states(time_wait_port)


@pytest.mark.parametrize("address", [HOST, "0.0.0.0"], ids=["loopback", "every-address"])
def test_a_port_something_listens_on_is_in_use(address: str) -> None:
    port = free_port()
    assert not in_use(port)
    with listening(port, address):
        assert in_use(port)
    assert not in_use(port)


def test_the_command_line_names_the_first_port_in_use(time_wait_port: int) -> None:
    busy = free_port()

    def ports(*ports: int) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "localenv.ports", *map(str, ports)]
        return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)

    assert ports(time_wait_port).returncode == 0
    with listening(busy):
        result = ports(time_wait_port, busy)
    assert (result.returncode, result.stdout) == (1, f"{busy}\n")


def test_make_observe_takes_ports_in_time_wait_and_refuses_listened_ones(
    time_wait_port: int,
) -> None:
    ports = observe.Ports(
        gateway=time_wait_port, app=free_port(), exporter=free_port(), prometheus=free_port()
    )
    assert observe.busy_ports(ports) == []
    with listening(ports.exporter):
        assert observe.busy_ports(ports) == [("exporter", ports.exporter)]


def test_a_daemon_refuses_a_port_another_program_listens_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even one that does not answer HTTP: the daemon could not bind it either."""
    monkeypatch.setenv("SUMAPI_RUN_DIR", str(tmp_path))
    port = free_port()
    daemon = Daemon("example", port, f"http://{HOST}:{port}/")
    with listening(port), pytest.raises(DaemonError, match="taken by a process"):
        daemon.start([sys.executable, "-c", "raise SystemExit('must not start')"])
    assert not daemon.pid_file.exists()
