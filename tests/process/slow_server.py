"""The real service process plus one test-only route, /slow, that holds a request in flight.

Used by the graceful-shutdown tests: everything but the extra route (config, logging, workers,
signal handling, drain, shutdown) is the production code path of `python -m sumapi`. /slow
answers which worker held the request.
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web

from sumapi import workers
from sumapi.app import create_app
from sumapi.config import Config
from sumapi.observability import configure_logging
from sumapi.server import event_loop_factory
from sumapi.state import WORKER, Worker


async def slow(request: web.Request) -> web.Response:
    seconds = float(request.query.get("seconds", "1"))
    await asyncio.sleep(seconds)
    return web.json_response({"slept": seconds, "worker": request.app[WORKER].index})


def app_with_slow_route(config: Config, worker: Worker) -> web.Application:
    app = create_app(config, worker)
    app.router.add_get("/slow", slow)
    return app


def main() -> int:
    config = Config.from_env()
    configure_logging(config.log_level)
    return workers.run(config, event_loop_factory(config.event_loop), app_with_slow_route)


if __name__ == "__main__":
    sys.exit(main())
