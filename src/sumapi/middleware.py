"""Request middleware: request ids, error rendering, metrics and access logs."""

from __future__ import annotations

import itertools
import logging
import os
import re
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from sumapi.keys import METRICS
from sumapi.observability import UNMATCHED_ROUTE, access_log
from sumapi.problems import ProblemError, problem_response

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

logger = logging.getLogger("sumapi.errors")


# Minted ids are 32 hex digits: a random per-process half and a counter. Unique across tasks and
# restarts without a getrandom() call per request; an id correlates, it is not a secret.
_ID_PREFIX = os.urandom(8).hex()
_id_counter = itertools.count()


def request_id_for(request: web.Request) -> str:
    """Keeps a well-formed incoming id (so one id follows a request across hops), else mints one."""
    incoming = request.headers.get(REQUEST_ID_HEADER)
    if incoming and _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return f"{_ID_PREFIX}{next(_id_counter):016x}"


def route_label(request: web.Request) -> str:
    """The route template, never the raw path, so metric label cardinality stays bounded."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The only middleware: every response, error or not, carries the request id, has the one
    problem+json error shape, and is counted, timed and logged. (One layer and one coroutine,
    not two: each is a measurable share of a request this small, see `make bench`.)"""
    started = time.perf_counter()
    request_id = request_id_for(request)
    metrics = request.app[METRICS]
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
        headers["Server"] = "sumapi"
        return response
    finally:
        elapsed = time.perf_counter() - started
        metrics.in_flight -= 1
        route = route_label(request)
        method = request.method
        metrics.observe(method, route, status, elapsed)
        access_log.write(
            request_id,
            method,
            route,
            request.path,
            status,
            elapsed,
            request.remote,
            # Set by the gateway after its trusted-proxy check; the app port is reachable only
            # from inside the task, so it is not client-controlled there.
            request.headers.get("X-Real-IP", "")[:64],
        )


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
