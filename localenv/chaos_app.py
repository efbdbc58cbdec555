"""The real service with a fault switch, for `make observe`/`make chaos` and the alert tests only.

Everything is `python -m sumapi` (config, logging, metrics, lifecycle) plus one inner
middleware: while the file named by SUMAPI_CHAOS_FILE exists, every request to /api/v1/sum
raises, as a bug would, so the app itself answers 500 and counts it in its own metrics. The
production entry point has no such switch.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from sumapi.app import create_app
from sumapi.config import Config
from sumapi.lifecycle import Lifecycle, serve
from sumapi.observability import configure_logging

CHAOS_ROUTE = "/api/v1/sum"


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

    def middleware(self) -> Middleware:
        @web.middleware
        async def fail_while_on(request: web.Request, handler: Handler) -> web.StreamResponse:
            if self.on and request.path == CHAOS_ROUTE:
                raise RuntimeError("chaos: injected failure (make chaos)")
            return await handler(request)

        return fail_while_on


def main() -> int:
    config = Config.from_env()
    configure_logging(config.log_level)
    lifecycle = Lifecycle()
    app = create_app(config, lifecycle)
    switch = ChaosSwitch(Path(os.environ.get("SUMAPI_CHAOS_FILE", ".run/chaos")))
    # Appended: inside the service's own middleware, which counts and shapes the 500.
    app.middlewares.append(switch.middleware())
    app.cleanup_ctx.append(switch.poll)
    asyncio.run(serve(app, config, lifecycle))
    return 0


if __name__ == "__main__":
    sys.exit(main())
