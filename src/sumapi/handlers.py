"""Route handlers. Each is documented for the OpenAPI document by aiohttp-apispec decorators.

The JSON body is parsed and validated here rather than by aiohttp-apispec's
validation_middleware: webargs treats a wrong content type as "no body" and accepts NaN and
duplicate keys, and every one of those cases must give the caller its own precise 4xx.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from aiohttp import web
from aiohttp_apispec import docs, json_schema, response_schema
from marshmallow import ValidationError

from sumapi.keys import CONFIG, LIFECYCLE, METRICS
from sumapi.problems import ProblemError
from sumapi.schemas import (
    OPERAND_LIMIT,
    LivenessSchema,
    ProblemSchema,
    StatusSchema,
    SumRequestSchema,
    SumResponseSchema,
    field_errors,
)

API_KEY_SECURITY: list[dict[str, list[str]]] = [{"ApiKeyAuth": []}]
JSON_TYPES = ["application/json", "application/problem+json"]
_sum_schema = SumRequestSchema()
_PLAIN_NUMBER_TYPES = (int, float)


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
        413: {"description": "Body larger than 16 KiB", "schema": ProblemSchema},
        415: {"description": "Content-Type is not application/json", "schema": ProblemSchema},
        422: {"description": "Valid JSON, invalid fields", "schema": ProblemSchema},
        429: {"description": "Rate limit exceeded (gateway)", "schema": ProblemSchema},
    },
)
# add_to_refs: an inline example makes aiohttp-apispec 3.0.0b2 emit a broken $ref.
@json_schema(SumRequestSchema(), example={"a": 2, "b": 40}, add_to_refs=True, required=True)
@response_schema(SumResponseSchema(), 200, description="The sum")
async def sum_numbers(request: web.Request) -> web.Response:
    payload = await read_json_object(request)
    operands = plain_operands(payload)
    if operands is None:
        try:
            loaded = _sum_schema.load(payload)
        except ValidationError as error:
            raise ProblemError(
                422, "The body has invalid fields; see errors.", errors=field_errors(error)
            ) from None
        operands = (loaded["a"], loaded["b"])
    return web.Response(
        body=orjson.dumps({"result": operands[0] + operands[1]}), content_type="application/json"
    )


@docs(
    tags=["operations"],
    summary="Prometheus metrics",
    description="Internal: scraped inside the task; the gateway does not expose it.",
    produces=["text/plain"],
    responses={200: {"description": "Prometheus text exposition format"}},
)
async def metrics(request: web.Request) -> web.Response:
    body, headers = request.app[METRICS].render(request.headers.getall("Accept", []))
    return web.Response(body=body, headers=headers)


def plain_operands(payload: dict[str, Any]) -> tuple[int | float, int | float] | None:
    """The operands of a body that is certainly valid, else None (then the schema decides).

    A fast path for the common case, accepting a strict subset of what SumRequestSchema accepts
    (a property test checks it): marshmallow's load costs as much as the rest of the request.
    Every body it declines goes through the schema, which words the errors.
    """
    if len(payload) != 2:
        return None
    a = payload.get("a")
    b = payload.get("b")
    # `type(x) in` excludes bool; the chained comparison is False for NaN and infinities.
    if (
        type(a) in _PLAIN_NUMBER_TYPES
        and type(b) in _PLAIN_NUMBER_TYPES
        and -OPERAND_LIMIT <= a <= OPERAND_LIMIT  # type: ignore[operator]
        and -OPERAND_LIMIT <= b <= OPERAND_LIMIT  # type: ignore[operator]
    ):
        return a, b  # type: ignore[return-value]
    return None


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """Reads the body as one JSON object, or raises a ProblemError that says what to fix."""
    if request.content_type != "application/json":
        raise ProblemError(
            415,
            f"Content-Type must be application/json, got {request.content_type!r}.",
        )
    limit = request.app[CONFIG].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ProblemError(
            413, f"The body is {request.content_length} bytes; the limit is {limit}."
        )
    raw = await request.read()  # aiohttp enforces client_max_size on chunked bodies too
    if not raw.strip():
        raise ProblemError(400, 'The body is empty; send a JSON object such as {"a": 1, "b": 2}.')
    try:
        payload = _strict_json.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProblemError(400, "The body is not valid UTF-8.") from None
    except ValueError as error:  # JSONDecodeError, and int literals beyond Python's digit limit
        raise ProblemError(400, f"The body is not valid JSON: {_describe(error)}") from None
    if not isinstance(payload, dict):
        raise ProblemError(422, 'The body must be a JSON object such as {"a": 1, "b": 2}.')
    return payload


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate field {key!r}")
        result[key] = value
    return result


# Built once: json.loads with hooks would construct a new decoder for every request.
_strict_json = json.JSONDecoder(
    parse_constant=_reject_constant, object_pairs_hook=_reject_duplicate_keys
)


def _describe(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}."
    message = str(error)
    if "digits" in message:  # sys.set_int_max_str_digits guard
        return "a number has too many digits."
    return message + "."
