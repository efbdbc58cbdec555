"""Request middleware: request ids, error rendering, metrics and access logs."""

from __future__ import annotations

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


def request_id_for(request: web.Request) -> str:
    """Keeps a well-formed incoming id (so one id follows a request across hops), else mints one."""
    incoming = request.headers.get(REQUEST_ID_HEADER)
    if incoming and _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return os.urandom(16).hex()


def route_label(request: web.Request) -> str:
    """The route template, never the raw path, so metric label cardinality stays bounded."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The only middleware: every response, error or not, carries the request id, has the one
    problem+json error shape, and is counted, timed and logged. (One layer, not two: each
    middleware layer is a measurable share of a request this small.)"""
    started = time.perf_counter()
    request_id = request_id_for(request)
    metrics = request.app[METRICS]
    metrics.in_flight += 1
    status = 500
    try:
        response = await _render_errors(request, handler, request_id)
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
        metrics.observe(request.method, route, status, elapsed)
        access_log.write(
            {
                "request_id": request_id,
                "method": request.method,
                "route": route,
                "path": request.path,
                "status": status,
                "duration_ms": round(elapsed * 1000, 3),
                "remote": request.remote,
                # Set by the gateway after its trusted-proxy check; the app port is reachable
                # only from inside the task, so it is not client-controlled there.
                "client_ip": request.headers.get("X-Real-IP", "")[:64],
            }
        )


async def _render_errors(
    request: web.Request, handler: Handler, request_id: str
) -> web.StreamResponse:
    """Turns every error into one problem+json shape; nothing internal reaches the client."""
    try:
        return await handler(request)
    except ProblemError as problem:
        return problem_response(
            problem.status,
            problem.detail,
            request_id,
            errors=problem.errors,
            headers=problem.headers,
        )
    except web.HTTPException as error:
        if error.status < 400:
            raise  # redirects are responses, not errors
        return problem_response(
            error.status, _detail_for(request, error), request_id, headers=_allow_header(error)
        )
    except Exception:
        logger.exception(
            "unhandled exception",
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
