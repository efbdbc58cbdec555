"""The server process: serves the app until a stop signal, then drains and shuts down gracefully.

With several workers (sumapi.workers) each runs this on its own listener of the one port, and
each drains on the signal the supervisor passes on, exactly as a single process does.

Timeline on SIGTERM or SIGINT (numbers from Config):
  t=0        readiness turns 503 ("draining"); everything else is still served
  t=drain    the listener closes: no new connections
  t=drain..  in-flight requests finish, up to shutdown_timeout; then the process exits 0
A second signal during the drain skips the rest of it.

"In flight" means a handler is running. aiohttp stops reading request bodies once the listener
closes, so an upload still arriving then is cut; behind nginx this cannot happen, because nginx
buffers the whole body before it proxies the request.

The infrastructure must agree with these numbers: on ECS the ALB deregisters the task and waits
its deregistration delay *before* SIGTERM, and the container's stopTimeout must exceed
drain + shutdown timeout, or SIGKILL cuts the requests this code is waiting for.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
from collections.abc import Callable

from aiohttp import web

from sumapi.lifecycle import Phase
from sumapi.state import CONFIG, LIFECYCLE

logger = logging.getLogger("sumapi.lifecycle")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
BACKLOG = 128  # aiohttp's default


class ListenError(Exception):
    """The port cannot be listened on; the message names the setting and the fix."""


Listener = list[socket.socket]  # one socket per address of the host


def listen(host: str, port: int, count: int = 1) -> list[Listener]:
    """`count` listeners on host:port, bound before anything serves.

    With more than one, each is SO_REUSEPORT, so that the kernel spreads new connections over
    the workers and a worker that closes its listener (draining, or dead) gets none. A port that
    something already listens on is refused, not shared: SO_REUSEPORT alone would let a second
    service of the same user join the first one's port.
    """
    try:
        addresses = list(
            dict.fromkeys(
                (family, (str(address[0]), int(address[1])))
                for family, _, _, _, address in socket.getaddrinfo(
                    host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
                )
            )
        )
    except socket.gaierror as error:
        raise ListenError(f"SUMAPI_HOST {host!r} does not resolve: {error.strerror}") from None
    listeners: list[Listener] = [[] for _ in range(count)]
    try:
        for family, address in addresses:
            # Bound, not listening: a listener on the port makes this fail, and no connection
            # can queue on (and be reset with) this probe.
            _bind(family, address, reuse_port=False, backlog=None).close()
            for listener in listeners:
                listener.append(_bind(family, address, reuse_port=count > 1, backlog=BACKLOG))
    except OSError as error:
        for sock in (sock for listener in listeners for sock in listener):
            sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ListenError(
                f"SUMAPI_PORT {port} is in use on {host}: stop what listens there or choose "
                "another port"
            ) from None
        raise ListenError(
            f"cannot listen on {host}:{port} (SUMAPI_HOST, SUMAPI_PORT): {error}"
        ) from None
    return listeners


def _bind(
    family: int, address: tuple[str, int], reuse_port: bool, backlog: int | None
) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # SO_REUSEADDR: a restart binds while the last run's connections are in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:  # as asyncio does: the IPv4 address gets its own socket
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        if backlog is not None:
            sock.listen(backlog)  # connections queue from now on, until a worker accepts them
    except OSError:
        sock.close()
        raise
    return sock


def event_loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
    if name == "uvloop":
        import uvloop  # only when chosen: the asyncio loop must not need it installed

        return uvloop.new_event_loop
    return asyncio.new_event_loop


async def serve(
    app: web.Application,
    listener: Listener | None = None,
    stop_signals: tuple[signal.Signals, ...] = STOP_SIGNALS,
) -> None:
    """Runs the app until a stop signal, then drains and shuts down gracefully.

    Without a listener it listens on the configured host and port itself."""
    config, lifecycle = app[CONFIG], app[LIFECYCLE]
    if listener is None:
        listener = listen(config.host, config.port)[0]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals_seen = 0

    def on_signal(signum: int) -> None:
        nonlocal signals_seen
        signals_seen += 1
        logger.info(
            "stop signal received",
            extra={"signal": signal.Signals(signum).name, "count": signals_seen},
        )
        stop.set()
        if signals_seen > 1:
            skip_drain.set()

    skip_drain = asyncio.Event()
    for signum in stop_signals:
        loop.add_signal_handler(signum, on_signal, signum)
    # A worker starts with the stop signals blocked (sumapi.workers): one that came before the
    # handlers were in place is delivered now, to them.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=config.shutdown_timeout_seconds,
        # AppRunner's own default is aiohttp's RequestHandler's 3630 s, not run_app's 75 s.
        keepalive_timeout=config.keepalive_seconds,
    )
    await runner.setup()
    try:
        for sock in listener:
            await web.SockSite(runner, sock, backlog=BACKLOG).start()
        lifecycle.phase = Phase.READY
        logger.info(
            "ready",
            extra={
                "host": config.host,
                "port": config.port,
                "version": config.version,
                # The loop that runs, not the one configured: "uvloop" or "asyncio".
                "event_loop": type(loop).__module__.partition(".")[0],
            },
        )
        await stop.wait()
        lifecycle.phase = Phase.DRAINING
        logger.info("draining", extra={"drain_seconds": config.drain_seconds})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(skip_drain.wait(), timeout=config.drain_seconds)
        logger.info(
            "closing listener; waiting for in-flight requests",
            extra={"timeout_seconds": config.shutdown_timeout_seconds},
        )
    finally:
        await runner.cleanup()
        for signum in stop_signals:
            loop.remove_signal_handler(signum)
    logger.info("stopped")
