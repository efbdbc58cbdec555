"""The server process: serves the app until a stop signal, then drains and shuts down gracefully.

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
import logging
import signal

from aiohttp import web

from sumapi.lifecycle import Phase
from sumapi.state import CONFIG, LIFECYCLE

logger = logging.getLogger("sumapi.lifecycle")


async def serve(app: web.Application) -> None:
    """Runs the app until a stop signal, then drains and shuts down gracefully."""
    config, lifecycle = app[CONFIG], app[LIFECYCLE]
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
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)

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
        site = web.TCPSite(runner, config.host, config.port, reuse_address=True)
        await site.start()
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
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    logger.info("stopped")
