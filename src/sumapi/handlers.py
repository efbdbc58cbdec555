"""Route handlers. Each is documented for the OpenAPI document by aiohttp-apispec decorators.

The JSON body is read and validated here (sumapi.body, then sumapi.operands) rather than by
aiohttp-apispec's validation_middleware: webargs treats a wrong content type as "no body" and
accepts NaN and duplicate keys, and every one of those cases must give the caller its own 4xx.
"""

from __future__ import annotations

import orjson
from aiohttp import web
from aiohttp_apispec import docs, json_schema, response_schema

from sumapi.body import read_json_body
from sumapi.operands import sum_operands
from sumapi.schemas import (
    LivenessSchema,
    ProblemSchema,
    StatusSchema,
    SumRequestSchema,
    SumResponseSchema,
)
from sumapi.siblings import sibling_snapshots
from sumapi.state import CONFIG, LIFECYCLE, METRICS

API_KEY_SECURITY: list[dict[str, list[str]]] = [{"ApiKeyAuth": []}]
JSON_TYPES = ["application/json", "application/problem+json"]


@docs(
    tags=["operations"],
    summary="Liveness",
    description=(
        "200 whenever the process can serve. Checks no dependency. Says which version answers "
        "(a deploy's smoke test and a rollback show it)."
    ),
    produces=["application/json"],
)
@response_schema(LivenessSchema(), 200, description="The process is alive")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": request.app[CONFIG].version})


@docs(
    tags=["operations"],
    summary="Readiness",
    description="200 once started and not draining; 503 while starting or draining.",
    produces=JSON_TYPES,
)
@response_schema(StatusSchema(), 200, description="Ready for traffic")
@response_schema(StatusSchema(), 503, description="Starting or draining: send no traffic")
async def readyz(request: web.Request) -> web.Response:
    lifecycle = request.app[LIFECYCLE]
    status = 200 if lifecycle.ready else 503
    return web.json_response({"status": lifecycle.phase.value}, status=status)


@docs(
    tags=["sum"],
    summary="Add two numbers",
    description=(
        "Returns a + b. Operands are JSON numbers (integers or finite floats) between "
        "-10^15 and 10^15, so integer results are exact in every JSON client. "
        "Requires an API key in X-API-Key (checked by the gateway)."
    ),
    security=API_KEY_SECURITY,
    consumes=["application/json"],
    produces=JSON_TYPES,
    responses={
        400: {"description": "Body is empty or not valid JSON", "schema": ProblemSchema},
        401: {"description": "Missing or unknown API key (gateway)", "schema": ProblemSchema},
        413: {"description": "Body larger than SUMAPI_MAX_BODY_BYTES", "schema": ProblemSchema},
        415: {"description": "Content-Type is not application/json", "schema": ProblemSchema},
        422: {"description": "Valid JSON, invalid fields", "schema": ProblemSchema},
        429: {"description": "Rate limit exceeded (gateway)", "schema": ProblemSchema},
    },
)
# add_to_refs: an inline example makes aiohttp-apispec 3.0.0b2 emit a broken $ref.
@json_schema(SumRequestSchema(), example={"a": 2, "b": 40}, add_to_refs=True, required=True)
@response_schema(SumResponseSchema(), 200, description="The sum")
async def sum_numbers(request: web.Request) -> web.Response:
    a, b = sum_operands(await read_json_body(request))
    return web.Response(body=orjson.dumps({"result": a + b}), content_type="application/json")


@docs(
    tags=["operations"],
    summary="Prometheus metrics",
    description=(
        "Internal: scraped inside the task; the gateway does not expose it. With several "
        "workers, the sums over all of them."
    ),
    produces=["text/plain", "application/problem+json"],
    responses={
        200: {"description": "Prometheus text exposition format"},
        503: {"description": "A worker did not answer: scrape again", "schema": ProblemSchema},
    },
)
async def metrics(request: web.Request) -> web.Response:
    siblings = await sibling_snapshots(request.app)
    body, headers = request.app[METRICS].render(request.headers.getall("Accept", []), siblings)
    return web.Response(body=body, headers=headers)


async def no_route(request: web.Request) -> web.Response:
    """The catch-all route, added last: a path no route has (404), or a method it has not (405,
    with the methods it has, as aiohttp's router would say)."""
    own = request.match_info.route.resource
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not own:
            _, methods = await resource.resolve(request)
            allowed |= methods
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()
