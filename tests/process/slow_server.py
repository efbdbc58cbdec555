"""The real service process plus one test-only route, /slow, that holds a request in flight.

Used by the graceful-shutdown tests: everything but the extra route (config, logging, signal
handling, drain, shutdown) is the production code path of `python -m sumapi`.
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web

from sumapi.app import create_app
from sumapi.config import Config
from sumapi.observability import configure_logging
from sumapi.server import serve


async def slow(request: web.Request) -> web.Response:
    seconds = float(request.query.get("seconds", "1"))
    await asyncio.sleep(seconds)
    return web.json_response({"slept": seconds})


def main() -> int:
    config = Config.from_env()
    configure_logging(config.log_level)
    app = create_app(config)
    app.router.add_get("/slow", slow)
    asyncio.run(serve(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
