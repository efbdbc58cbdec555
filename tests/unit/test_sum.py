from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from sumapi.schemas import OPERAND_LIMIT
from tests.unit.in_process import Client

SUM = "/api/v1/sum"
JSON = {"Content-Type": "application/json"}


async def post_raw(client: Client, body: bytes | str, headers: dict[str, str] | None = None) -> Any:
    return await client.post(SUM, data=body, headers=JSON if headers is None else headers)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 2, 3),
        (-5, 5, 0),
        (0.5, 0.25, 0.75),
        (1, 2.5, 3.5),
        (OPERAND_LIMIT, OPERAND_LIMIT, 2 * OPERAND_LIMIT),
        (-OPERAND_LIMIT, -OPERAND_LIMIT, -2 * OPERAND_LIMIT),
        (1e-300, 1e-300, 2e-300),
    ],
)
async def test_sum_adds_json_numbers(client: Client, a: float, b: float, expected: float) -> None:
    response = await client.post(SUM, json={"a": a, "b": b})
    assert response.status == 200
    assert await response.json() == {"result": expected}


async def test_integer_sum_stays_integer_and_exact(client: Client) -> None:
    response = await post_raw(client, '{"a": 999999999999999, "b": 1}')
    text = await response.text()
    assert text.replace(" ", "") == '{"result":1000000000000000}'
    assert type(json.loads(text)["result"]) is int


async def test_charset_parameter_is_accepted(client: Client) -> None:
    response = await post_raw(
        client, '{"a": 1, "b": 1}', {"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status == 200


async def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = await response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert body["detail"]
    return body


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ('{"a": "1", "b": 2}', "a", "not a string"),
        ('{"a": true, "b": 2}', "a", "not a boolean"),
        ('{"a": null, "b": 2}', "a", "not null"),
        ('{"a": [1], "b": 2}', "a", "not an array"),
        ('{"a": {"x": 1}, "b": 2}', "a", "not an object"),
        ('{"a": 1}', "b", "Missing data"),
        ('{"b": 1}', "a", "Missing data"),
        ('{"a": 1, "b": 2, "c": 3}', "c", "Unknown field"),
        ('{"a": 1e400, "b": 2}', "a", "finite"),
        (f'{{"a": {OPERAND_LIMIT + 1}, "b": 2}}', "a", "sum is exact"),
        (f'{{"a": 1, "b": {-OPERAND_LIMIT - 1}}}', "b", "sum is exact"),
        ('{"a": 1.5e300, "b": 1}', "a", "sum is exact"),
    ],
)
async def test_invalid_fields_are_422_naming_the_field(
    client: Client, body: str, field: str, fragment: str
) -> None:
    details = await problem(await post_raw(client, body), 422)
    messages = {error["field"]: error["message"] for error in details["errors"]}
    assert field in messages
    assert fragment in messages[field]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('{"a": NaN, "b": 1}', "NaN"),
        ('{"a": Infinity, "b": 1}', "Infinity"),
        ('{"a": -Infinity, "b": 1}', "-Infinity"),
        ('{"a": 1, "b": 2', "not valid JSON"),
        ("not json", "not valid JSON"),
        ('{"a": 1, "a": 2, "b": 3}', "duplicate field 'a'"),
        ('{"a": ' + "9" * 5000 + ', "b": 1}', "too many digits"),
        (b'{"a": 1, "b": 2, "\xff": 1}', "UTF-8"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
async def test_malformed_bodies_are_400(client: Client, body: str | bytes, fragment: str) -> None:
    details = await problem(await post_raw(client, body), 400)
    assert fragment in details["detail"]


@pytest.mark.parametrize("body", ["[1, 2]", "3", '"a"', "null"])
async def test_non_object_json_is_422(client: Client, body: str) -> None:
    details = await problem(await post_raw(client, body), 422)
    assert "JSON object" in details["detail"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
async def test_wrong_content_type_is_415(client: Client, content_type: str) -> None:
    details = await problem(
        await post_raw(client, '{"a": 1, "b": 2}', {"Content-Type": content_type}), 415
    )
    assert "application/json" in details["detail"]


async def test_multipart_body_is_415_not_500(client: Client) -> None:
    from aiohttp import FormData

    form = FormData()
    form.add_field("a", "1")
    form.add_field("file", b"x" * 10, filename="x.bin")
    await problem(await client.post(SUM, data=form), 415)


async def test_oversized_body_is_413(client: Client) -> None:
    body = json.dumps({"a": 1, "b": 2, "pad": "x" * 20_000})
    details = await problem(await post_raw(client, body), 413)
    assert "limit" in details["detail"]


async def test_oversized_chunked_body_is_413(client: Client) -> None:
    async def chunks() -> Any:
        for _ in range(20):
            yield b" " * 1024

    await problem(await client.post(SUM, data=chunks(), headers=JSON), 413)


async def test_a_compressed_body_is_judged_inflated(client: Client) -> None:
    """aiohttp inflates a gzip body: the limit applies to what the service would parse."""
    headers = {**JSON, "Content-Encoding": "gzip"}
    small = gzip.compress(b'{"a": 1, "b": 2}')
    response = await post_raw(client, small, headers)
    assert response.status == 200
    assert await response.json() == {"result": 3}
    bomb = gzip.compress(b'{"a": 1, "b": 2, "pad": "' + b" " * 100_000 + b'"}')
    assert len(bomb) < 1024  # far below the limit as sent
    details = await problem(await post_raw(client, bomb, headers), 413)
    assert "limit" in details["detail"]
