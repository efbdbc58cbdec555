"""The sum handler's fast path must never accept what the schema rejects, nor change a value."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from sumapi.handlers import plain_operands
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
