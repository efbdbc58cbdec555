"""The application factory: wires config, state, the observed routes and the API documentation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from sumapi import handlers
from sumapi.config import Config
from sumapi.docs import add_docs
from sumapi.lifecycle import Lifecycle
from sumapi.observability import UNMATCHED_ROUTE, AccessLog, Metrics, process_log_stream
from sumapi.observed import observed
from sumapi.siblings import serve_snapshots
from sumapi.state import ACCESS_LOG, CONFIG, LIFECYCLE, METRICS, WORKER, Worker


def create_app(config: Config, worker: Worker | None = None) -> web.Application:
    """The app; `worker` says which of several workers it is (sumapi.workers), default the one."""
    # No middleware: every route is `observed` instead (sumapi.observed says why).
    app = web.Application(
        # Reads beyond this fail with 413 even when the client sends no Content-Length.
        client_max_size=config.max_body_bytes,
    )
    app[CONFIG] = config
    app[LIFECYCLE] = Lifecycle()  # sumapi.server moves it; /readyz reports it
    app[METRICS] = Metrics(config.version, config.commit)
    # Logging itself is configured once per process (sumapi.__main__), before the app is made.
    app[ACCESS_LOG] = AccessLog(process_log_stream(), config.log_level)
    app[WORKER] = Worker() if worker is None else worker

    app.cleanup_ctx.append(_buffered_access_log)
    app.cleanup_ctx.append(serve_snapshots)

    app.router.add_get("/healthz", observed(handlers.healthz))
    app.router.add_get("/readyz", observed(handlers.readyz))
    app.router.add_post("/api/v1/sum", observed(handlers.sum_numbers))
    app.router.add_get("/metrics", observed(handlers.metrics))
    add_docs(app, config)
    # Last: the router tries it only when no other route has the path.
    app.router.add_route("*", "/{path:.*}", observed(handlers.no_route), name=UNMATCHED_ROUTE)
    return app


async def _buffered_access_log(app: web.Application) -> AsyncIterator[None]:
    """Access lines are batched while the app serves, and all written when it stops."""
    stream = app[ACCESS_LOG].stream
    stream.attach(asyncio.get_running_loop())
    yield
    stream.detach()
