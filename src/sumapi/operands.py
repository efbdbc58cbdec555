"""The sum's two operands from a request body: a fast path for bodies that are certainly valid,
and the strict parser plus the schema for everything else, which words every error.

The fast path exists because the strict path is most of a request's cost (measured with `make
bench`); tests/unit/test_fast_path.py proves it accepts a subset of what the strict path
accepts, with identical values.
"""

from __future__ import annotations

from typing import Any

import orjson
from marshmallow import ValidationError

from sumapi.body import parse_json_object
from sumapi.problems import ProblemError
from sumapi.schemas import OPERAND_LIMIT, SumRequestSchema, field_errors

_sum_schema = SumRequestSchema()
_PLAIN_NUMBER_TYPES = (int, float)


def sum_operands(raw: bytes) -> tuple[int | float, int | float]:
    """The operands a and b, or a ProblemError (400, 422) that says what is wrong."""
    operands = fast_operands(raw)
    if operands is not None:
        return operands
    payload = parse_json_object(raw)
    try:
        loaded = _sum_schema.load(payload)
    except ValidationError as error:
        raise ProblemError(
            422, "The body has invalid fields; see errors.", errors=field_errors(error)
        ) from None
    return loaded["a"], loaded["b"]


def fast_operands(raw: bytes) -> tuple[int | float, int | float] | None:
    """The operands of a body that is certainly valid, else None (then the strict parser and
    the schema decide, and word the errors).

    The common case at a fraction of the cost (measured with `make bench`: the strict decoder's
    Python hook and marshmallow's load each cost as much as the rest of the request). It accepts
    a strict subset of what the strict path accepts, with identical values (property tests check
    both), because orjson differs from the strict parser only in ways it cannot let through:
    - orjson keeps the last of duplicate fields. Each member of an object, nested ones
      included, has one colon outside strings, so a body with exactly two colons that parses
      to two fields has no other member, duplicate or nested;
    - orjson turns integers beyond 64 bits into floats, far outside the operand limit;
    - NaN, Infinity, invalid UTF-8 and lone surrogates make orjson fail, not guess.
    """
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(payload) is not dict or raw.count(b":") != 2:
        return None
    return plain_operands(payload)


def plain_operands(payload: dict[str, Any]) -> tuple[int | float, int | float] | None:
    """The operands of a parsed body that are certainly valid, else None (the schema decides).

    Accepts a strict subset of what SumRequestSchema accepts (a property test checks it):
    marshmallow's load costs as much as the rest of the request.
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
