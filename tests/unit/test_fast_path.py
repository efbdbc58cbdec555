"""The sum handler's fast path must never accept what the schema rejects, nor change a value."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from sumapi.body import parse_json_object
from sumapi.operands import fast_operands, plain_operands
from sumapi.problems import ProblemError
from sumapi.schemas import OPERAND_LIMIT, SumRequestSchema

schema = SumRequestSchema()
edges = st.sampled_from(
    [OPERAND_LIMIT, -OPERAND_LIMIT, OPERAND_LIMIT + 1, float(OPERAND_LIMIT), 1e15 + 0.5, 0, -0.0]
)
json_values = st.one_of(
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    edges,
    st.booleans(),
    st.none(),
    st.text(max_size=3),
    st.lists(st.integers(), max_size=2),
)
payloads = st.one_of(
    st.fixed_dictionaries({"a": json_values, "b": json_values}),
    st.dictionaries(st.sampled_from(["a", "b", "c", "A"]), json_values, max_size=4),
)


def schema_result(payload: dict[str, Any]) -> tuple[Any, Any] | None:
    try:
        loaded = schema.load(payload)
    except ValidationError:
        return None
    return loaded["a"], loaded["b"]


@settings(max_examples=3000, deadline=None)
@given(payloads)
def test_fast_path_accepts_a_subset_of_the_schema_with_identical_values(
    payload: dict[str, Any],
) -> None:
    fast = plain_operands(payload)
    if fast is not None:
        slow = schema_result(payload)
        assert slow is not None, f"fast path accepted {payload!r}, the schema rejects it"
        assert fast == slow
        assert [type(v) for v in fast] == [type(v) for v in slow]


@given(
    st.one_of(
        st.integers(min_value=-OPERAND_LIMIT, max_value=OPERAND_LIMIT),
        st.floats(min_value=-OPERAND_LIMIT, max_value=OPERAND_LIMIT, allow_nan=False),
    ),
    st.integers(min_value=-OPERAND_LIMIT, max_value=OPERAND_LIMIT),
)
def test_fast_path_takes_every_plain_valid_body(a: float, b: int) -> None:
    assert plain_operands({"a": a, "b": b}) == (a, b)


# Raw bodies for fast_operands: valid and invalid JSON, duplicates, nesting, colons in strings,
# integers beyond 64 bits (orjson makes them floats), NaN/Infinity literals, odd spacing.
literals = st.one_of(
    json_values.map(lambda value: json.dumps(value)),
    st.sampled_from(
        [
            "NaN",
            "Infinity",
            "-Infinity",
            "1e400",
            "-0",
            "1.0",
            "1E2",
            "18446744073709551616",
            "-9223372036854775809",
            '"\\ud800"',
            '":"',
            "{}",
            '{"a": 1}',
            "[1, 2]",
            "00",
            "",
        ]
    ),
)
members = st.tuples(st.sampled_from(['"a"', '"b"', '"c"', '"a:"', '"\\u0061"']), literals)
spaces = st.sampled_from(["", " ", "\n", "\t", "\r\n "])


@st.composite
def raw_bodies(draw: st.DrawFn) -> bytes:
    chosen = draw(st.lists(members, max_size=4))
    space = draw(spaces)
    text = "{" + ",".join(f"{space}{key}{space}:{space}{value}" for key, value in chosen) + "}"
    if draw(st.booleans()):
        text = draw(st.sampled_from(["", " ", "[", "\ufeff"])) + text
    return text.encode("utf-8", "surrogatepass")


def strict_result(raw: bytes) -> tuple[Any, Any] | None:
    try:
        payload = parse_json_object(raw)
    except ProblemError:
        return None
    return plain_operands(payload) or schema_result(payload)


@settings(max_examples=3000, deadline=None)
@given(raw_bodies())
def test_raw_fast_path_accepts_a_subset_of_the_strict_path_with_identical_values(
    raw: bytes,
) -> None:
    fast = fast_operands(raw)
    if fast is not None:
        strict = strict_result(raw)
        assert strict is not None, f"fast path accepted {raw!r}, the strict path rejects it"
        assert fast == strict
        assert [type(v) for v in fast] == [type(v) for v in strict]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1, "a": 2, "b": 3}',  # duplicate: orjson keeps the last
        b'{"a": 1, "b": 2, "b": 2}',
        b'{"a": 100000000000000000000, "b": 1}',  # beyond 64 bits: orjson gives a float
        b'{"a": NaN, "b": 1}',
        b'{"a": 1, "b": {"x": 1}}',
    ],
)
def test_raw_fast_path_declines_what_orjson_reads_differently(raw: bytes) -> None:
    assert fast_operands(raw) is None


def test_raw_fast_path_takes_the_common_body() -> None:
    assert fast_operands(b'{"a": 2, "b": 40}') == (2, 40)
