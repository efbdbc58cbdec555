"""The real service with a fault switch, for `make observe`/`make chaos` and the alert tests only.

Everything is `python -m sumapi` (config, logging, metrics, lifecycle) with the sum handler
wrapped before the app is built: while the file named by SUMAPI_CHAOS_FILE exists, every request
to /api/v1/sum raises, as a bug would, inside the observed route, so the app itself answers 500
and counts it in its own metrics. The production entry point has no such switch.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

from sumapi import handlers
from sumapi.app import create_app
from sumapi.config import Config
from sumapi.observability import configure_logging
from sumapi.server import serve


class ChaosSwitch:
    """Whether the switch file exists, polled off the request path (a stat per request blocks)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.on = False

    async def poll(self, app: web.Application) -> AsyncIterator[None]:
        async def watch() -> None:
            while True:
                self.on = await asyncio.to_thread(self.path.exists)
                await asyncio.sleep(0.25)

        task = asyncio.create_task(watch())
        yield
        task.cancel()

    def wrap(self, handler: Handler) -> Handler:
        async def fail_while_on(request: web.Request) -> web.StreamResponse:
            if self.on:
                raise RuntimeError("chaos: injected failure (make chaos)")
            return await handler(request)

        return functools.update_wrapper(fail_while_on, handler)  # keeps its OpenAPI metadata


def main() -> int:
    config = Config.from_env()
    configure_logging(config.log_level)
    switch = ChaosSwitch(Path(os.environ.get("SUMAPI_CHAOS_FILE", ".run/chaos")))
    handlers.sum_numbers = switch.wrap(handlers.sum_numbers)  # create_app observes the wrapper
    app = create_app(config)
    app.cleanup_ctx.append(switch.poll)
    asyncio.run(serve(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
