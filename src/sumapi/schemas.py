"""Request and response schemas: the single source for validation and the OpenAPI document."""

from __future__ import annotations

import math
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

# Operands are bounded so that every integer sum is exact not only here (Python ints are
# unbounded) but in every JSON consumer: |a + b| <= 2 * 10**15 < 2**53, the largest range in
# which an IEEE-754 double (JavaScript's only number type) represents all integers. The same
# bound keeps float sums finite. Floats are added with IEEE-754 double rounding.
OPERAND_LIMIT = 10**15


class JsonNumber(fields.Float):
    """A JSON number: an integer or a finite float. Never a string, boolean or null."""

    default_error_messages = {  # noqa: RUF012 - marshmallow merges this class attribute
        "invalid": "Must be a JSON number (integer or finite float), not {kind}.",
        "not_finite": "Must be a finite number.",
        "null": "Must be a JSON number (integer or finite float), not null.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float | int:
        # bool is a subclass of int in Python but `true` is not a number in JSON.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", kind=_json_kind(value))
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("not_finite")
        return value


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_operand_range = validate.Range(
    min=-OPERAND_LIMIT,
    max=OPERAND_LIMIT,
    error=f"Must be between -{OPERAND_LIMIT} and {OPERAND_LIMIT} so that the sum is exact.",
)


class SumRequestSchema(Schema):
    a = JsonNumber(required=True, validate=_operand_range, metadata={"description": "First addend"})
    b = JsonNumber(
        required=True, validate=_operand_range, metadata={"description": "Second addend"}
    )


class SumResponseSchema(Schema):
    result = fields.Float(required=True, metadata={"description": "a + b"})


class StatusSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok, ready, starting, draining"})


class LivenessSchema(StatusSchema):
    version = fields.String(
        required=True, metadata={"description": "SUMAPI_VERSION: the release (image tag) answering"}
    )


class FieldErrorSchema(Schema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class ProblemSchema(Schema):
    type = fields.String(required=True, metadata={"description": "Always about:blank"})
    title = fields.String(required=True, metadata={"description": "HTTP reason phrase"})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What to fix"})
    request_id = fields.String(required=True, metadata={"description": "Echo of X-Request-ID"})
    errors = fields.List(fields.Nested(FieldErrorSchema), required=False)


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Flattens marshmallow's nested messages into [{field, message}] for the problem body."""
    flat: list[dict[str, str]] = []
    messages = error.messages if isinstance(error.messages, dict) else {"_body": error.messages}
    for field, problems in sorted(messages.items()):
        for message in problems if isinstance(problems, list) else [problems]:
            flat.append({"field": str(field), "message": str(message)})
    return flat
