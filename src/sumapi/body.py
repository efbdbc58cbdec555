"""Reading a request body as one JSON object, with a precise 4xx for each way it can be wrong.

Strict on purpose: a wrong content type, an empty body, invalid UTF-8, NaN or Infinity, a
duplicate field and a body that is not an object are each refused with their own message, where
webargs (aiohttp-apispec's validation) would treat some as "no body" and accept others.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.hdrs import CONTENT_TYPE

from sumapi.problems import ProblemError
from sumapi.state import CONFIG

EXAMPLE = '{"a": 1, "b": 2}'


async def read_json_body(request: web.Request) -> bytes:
    """The raw body of a JSON request, or a ProblemError (415, 413) that says what to fix."""
    # The exact header most clients send skips parsing it (a measurable share of a request);
    # any other spelling (charset, case, spaces) is parsed and judged by aiohttp.
    if (
        request.headers.get(CONTENT_TYPE) != "application/json"
        and request.content_type != "application/json"
    ):
        raise ProblemError(
            415,
            f"Content-Type must be application/json, got {request.content_type!r}.",
        )
    limit = request.app[CONFIG].max_body_bytes
    length = request.content_length
    if length is not None and length > limit:
        raise ProblemError(413, f"The body is {length} bytes; the limit is {limit}.")
    content = request.content
    if not content.is_eof():
        return await request.read()  # aiohttp enforces client_max_size on chunked bodies too
    # All of it has arrived (behind nginx, always: it buffers bodies whole), so it is taken as
    # is: request.read() would copy it through a bytearray, in a loop with an await per chunk.
    raw = content.read_nowait()
    if len(raw) > limit:  # as request.read() would: a compressed body is checked inflated
        raise ProblemError(413, "The body is larger than the limit.")
    return raw


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The body as one JSON object, or a ProblemError (400, 422) that says what is wrong."""
    if not raw.strip():
        raise ProblemError(400, f"The body is empty; send a JSON object such as {EXAMPLE}.")
    try:
        payload = _strict_json.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProblemError(400, "The body is not valid UTF-8.") from None
    except ValueError as error:  # JSONDecodeError, and int literals beyond Python's digit limit
        raise ProblemError(400, f"The body is not valid JSON: {_describe(error)}") from None
    if not isinstance(payload, dict):
        raise ProblemError(422, f"The body must be a JSON object such as {EXAMPLE}.")
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
