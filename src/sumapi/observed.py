"""What every route does around its handler: the request id, the one problem+json error shape,
metrics and the access log.

A wrapper per route (`observed`), not an aiohttp middleware: with any middleware aiohttp runs two
extra coroutine layers per request (the middleware and its own current-app fixer), which cost
6 % of a request this small (measured in-process as bench/inprocess.py does, uvloop, best of
3: 78.4 -> 73.7 us per request). Every route is
wrapped, the catch-all for unknown paths and wrong methods included (sumapi.app adds it last),
so no response escapes it; tests/unit/test_routes.py checks each route of the router.
"""

from __future__ import annotations

import copy
import functools
import itertools
import logging
import os
import re
import time

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler
from multidict import istr

from sumapi.observability import UNMATCHED_ROUTE
from sumapi.problems import ProblemError, problem_response
from sumapi.state import ACCESS_LOG, METRICS

# istr: header names folded once here, not on every lookup.
REQUEST_ID_HEADER = istr("X-Request-ID")
REAL_IP_HEADER = istr("X-Real-IP")
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

logger = logging.getLogger("sumapi.errors")


# Minted ids are 32 hex digits: a random per-process half and a counter. Unique across tasks,
# restarts and workers without a getrandom() call per request; an id correlates, it is not a
# secret.
_ID_PREFIX = os.urandom(8).hex()
# From 2**60 on, hex() gives 16 digits (for the next 15 * 2**60 ids).
_id_counter = itertools.count(1 << 60)


def _new_id_prefix() -> None:
    """A forked worker (sumapi.workers) must not mint its siblings' ids."""
    global _ID_PREFIX
    _ID_PREFIX = os.urandom(8).hex()


os.register_at_fork(after_in_child=_new_id_prefix)


def request_id_for(request: web.Request) -> str:
    """Keeps a well-formed incoming id (so one id follows a request across hops), else mints one."""
    incoming = request.headers.get(REQUEST_ID_HEADER)
    if incoming and _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return _ID_PREFIX + hex(next(_id_counter))[2:]  # no format spec: a third of the cost


def route_label(request: web.Request) -> str:
    """The route template, never the raw path, so metric label cardinality stays bounded."""
    resource = request.match_info.route.resource
    if resource is None or resource.name == UNMATCHED_ROUTE:
        return UNMATCHED_ROUTE
    return resource.canonical


def observed(handler: Handler) -> Handler:
    """The route handler wrapped: its response, error or not, carries the request id, has the
    one problem+json error shape, and is counted, timed and logged. The wrapper keeps the
    handler's name and OpenAPI metadata (aiohttp-apispec reads them from the route).

    One coroutine around the handler, not two: each is a measurable share of a request."""

    async def observed_handler(request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        request_id = request_id_for(request)
        app = request.app
        metrics = app[METRICS]
        metrics.in_flight += 1
        status = 500
        try:
            try:
                response = await handler(request)
            except Exception as error:  # rendered below; nothing internal reaches the client
                response = _problem_for(request, error, request_id)
            status = response.status
            headers = response.headers
            headers[REQUEST_ID_HEADER] = request_id
            # Version banners help attackers match exploits and tell clients nothing useful.
            headers[hdrs.SERVER] = "sumapi"
            return response
        finally:
            elapsed = time.perf_counter() - started
            metrics.in_flight -= 1
            route = route_label(request)
            method = request.method
            metrics.record(method, route, status, elapsed)
            app[ACCESS_LOG].write(
                request_id,
                method,
                route,
                request.path,
                status,
                elapsed,
                request.remote,
                # Set by the gateway after its trusted-proxy check; the app port is reachable
                # only from inside the task, so it is not client-controlled there.
                request.headers.get(REAL_IP_HEADER, "")[:64],
            )

    functools.update_wrapper(observed_handler, handler, updated=())
    # Its own copy of the decorators' metadata: aiohttp-apispec consumes (pops) it when it builds
    # the document, and every app (tests, tools) must get the whole document.
    observed_handler.__dict__.update(copy.deepcopy(vars(handler)))
    observed_handler.__observed__ = True  # type: ignore[attr-defined]
    return observed_handler


def is_observed(handler: object) -> bool:
    return getattr(handler, "__observed__", False) is True


def _problem_for(request: web.Request, error: Exception, request_id: str) -> web.Response:
    """The one problem+json shape for every error; a redirect is re-raised (it is a response)."""
    if isinstance(error, ProblemError):
        return problem_response(
            error.status, error.detail, request_id, errors=error.errors, headers=error.headers
        )
    if isinstance(error, web.HTTPException):
        if error.status < 400:
            raise error
        return problem_response(
            error.status, _detail_for(request, error), request_id, headers=_allow_header(error)
        )
    logger.error(
        "unhandled exception",
        exc_info=error,
        extra={"request_id": request_id, "method": request.method, "path": request.path},
    )
    return problem_response(
        500, "An internal error occurred; quote the request_id when reporting it.", request_id
    )


def _detail_for(request: web.Request, error: web.HTTPException) -> str:
    if isinstance(error, web.HTTPNotFound):
        return f"No route {request.path!r}. The API is described at /api/docs."
    if isinstance(error, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(error.allowed_methods))
        return f"Method {request.method} is not allowed on {request.path!r}; allowed: {allowed}."
    if isinstance(error, web.HTTPRequestEntityTooLarge):
        return "The body is larger than the limit."
    return error.reason


def _allow_header(error: web.HTTPException) -> dict[str, str]:
    allow = error.headers.get("Allow")
    return {"Allow": allow} if allow else {}
