"""The application factory: wires config, state, middleware, routes and the OpenAPI document."""

from __future__ import annotations

import asyncio
import copy
import warnings
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp_apispec import AiohttpApiSpec

from sumapi import handlers
from sumapi.config import Config
from sumapi.keys import CONFIG, LIFECYCLE, METRICS
from sumapi.lifecycle import Lifecycle
from sumapi.middleware import observe
from sumapi.observability import Metrics, access_log

OPENAPI_URL = "/api/docs/openapi.json"
DOCS_URL = "/api/docs"


def create_app(config: Config, lifecycle: Lifecycle | None = None) -> web.Application:
    app = web.Application(
        middlewares=[observe],
        # Reads beyond this fail with 413 even when the client sends no Content-Length.
        client_max_size=config.max_body_bytes,
    )
    app[CONFIG] = config
    app[LIFECYCLE] = lifecycle if lifecycle is not None else Lifecycle()
    app[METRICS] = Metrics(config.version, config.commit)

    app.cleanup_ctx.append(_buffered_access_log)

    app.router.add_get("/healthz", handlers.healthz)
    app.router.add_get("/readyz", handlers.readyz)
    app.router.add_post("/api/v1/sum", handlers.sum_numbers)
    app.router.add_get("/metrics", handlers.metrics)

    _add_openapi(app, config)
    return app


async def _buffered_access_log(app: web.Application) -> AsyncIterator[None]:
    """Access lines are batched while the app serves, and all written when it stops."""
    access_log.stream.attach(asyncio.get_running_loop())
    yield
    access_log.stream.detach()


def _add_openapi(app: web.Application, config: Config) -> None:
    spec = AiohttpApiSpec(
        url=OPENAPI_URL,
        swagger_path=DOCS_URL,
        static_path=DOCS_URL + "/static",
        title="sumapi",
        version=config.version,
        info={"description": "Adds two numbers, operated like a production service."},
    )
    spec.spec.components.security_scheme(
        "ApiKeyAuth",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "Checked by the gateway; ask the operators for a key.",
        },
    )
    # aiohttp-apispec consumes (pops) the metadata its decorators attach to each handler, so a
    # second app in the same process (tests, tools) would get an empty document: give it a copy.
    originals = {
        route.handler: copy.deepcopy(route.handler.__apispec__)
        for route in app.router.routes()
        if hasattr(route.handler, "__apispec__")
    }
    try:
        with warnings.catch_warnings():
            # aiohttp-apispec stores its state under string keys; aiohttp recommends AppKey.
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            spec.register(app, in_place=True)
    finally:
        for handler, metadata in originals.items():
            handler.__apispec__ = metadata
