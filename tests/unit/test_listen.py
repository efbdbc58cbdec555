"""The listeners the workers share one port through (sumapi.server.listen)."""

from __future__ import annotations

import re
import socket

import pytest

from sumapi.server import ListenError, listen
from tests.harness.loopback import HOST, free_port


def close(listeners: list[list[socket.socket]]) -> None:
    for listener in listeners:
        for sock in listener:
            sock.close()


def test_several_listeners_share_the_port_and_a_second_service_is_refused() -> None:
    port = free_port()
    listeners = listen(HOST, port, 3)
    try:
        assert len(listeners) == 3
        for (sock,) in listeners:
            assert sock.getsockname() == (HOST, port)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        # SO_REUSEPORT alone would let this one in, beside them.
        with pytest.raises(ListenError, match=re.escape(f"SUMAPI_PORT {port} is in use on {HOST}")):
            listen(HOST, port, 2)
    finally:
        close(listeners)


def test_one_listener_is_not_shared_and_refuses_a_second_service() -> None:
    port = free_port()
    listeners = listen(HOST, port)
    try:
        ((sock,),) = listeners
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 0
        with pytest.raises(ListenError, match="is in use"):
            listen(HOST, port, 2)
    finally:
        close(listeners)


def test_every_address_of_the_host_gets_a_socket() -> None:
    port = free_port()
    addresses = {
        info[4][0] for info in socket.getaddrinfo("localhost", port, type=socket.SOCK_STREAM)
    }
    try:
        listeners = listen("localhost", port, 2)
    except ListenError as error:  # another process took the free port meanwhile: not this test's
        pytest.skip(str(error))
    try:
        for listener in listeners:
            assert {sock.getsockname()[0] for sock in listener} == addresses
    finally:
        close(listeners)


def test_a_host_that_does_not_resolve_names_the_setting() -> None:
    unresolvable = "no-such-host.invalid"  # .invalid never resolves (RFC 6761)
    with pytest.raises(ListenError, match=re.escape(f"SUMAPI_HOST {unresolvable!r} does not")):
        listen(unresolvable, free_port())
