from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from sumapi.observability import access_log, configure_logging
from tests.unit.in_process import Client


@pytest.fixture
def json_logs() -> Iterator[Any]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    saved_access = (access_log.stream, access_log.enabled)
    stream = io.StringIO()
    configure_logging("INFO", stream)

    def records() -> list[dict[str, Any]]:
        access_log.flush()  # access lines are buffered for up to 100 ms
        # "\n" only: str.splitlines() also splits at U+2028, which JSON strings may hold.
        return [json.loads(line) for line in stream.getvalue().split("\n") if line]

    yield records
    root.handlers[:], root.level = saved
    access_log.stream, access_log.enabled = saved_access


async def test_one_json_access_record_per_request(client: Client, json_logs: Any) -> None:
    await client.post(
        "/api/v1/sum",
        json={"a": 1, "b": 2},
        headers={"X-Request-ID": "req-1", "X-API-Key": "k" * 40, "X-Real-IP": "203.0.113.7"},
    )
    [record] = [r for r in json_logs() if r["message"] == "access"]
    assert record["level"] == "INFO"
    assert record["logger"] == "sumapi.access"
    assert record["request_id"] == "req-1"
    assert record["method"] == "POST"
    assert record["route"] == "/api/v1/sum"
    assert record["status"] == 200
    assert record["duration_ms"] >= 0
    assert record["remote"] == "127.0.0.1"
    assert record["client_ip"] == "203.0.113.7"
    assert "time" in record


async def test_hostile_values_stay_valid_json_and_round_trip(
    client: Client, json_logs: Any
) -> None:
    path = '/api/v1/"quoted"\\back\u2028\u00e9{x}'
    client_ip = '203.0.113.7", "status": 200, "x": "\\'
    await client.get(path.replace('"', "%22"), headers={"X-Real-IP": client_ip})
    [record] = [r for r in json_logs() if r["message"] == "access"]
    assert record["path"] == path
    assert record["client_ip"] == client_ip
    assert record["status"] == 404


async def test_logs_never_contain_bodies_or_keys(client: Client, json_logs: Any) -> None:
    secret_key = "sk_live_" + "Z" * 40
    await client.post(
        "/api/v1/sum",
        json={"a": 123456789, "b": "marker-in-body"},
        headers={"X-API-Key": secret_key},
    )
    records = json_logs()
    assert [r["status"] for r in records if r["message"] == "access"] == [422]
    output = json.dumps(records)
    assert secret_key not in output
    assert "marker-in-body" not in output
    assert "123456789" not in output


async def test_access_records_follow_the_log_level(client: Client) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    saved_access = (access_log.stream, access_log.enabled)
    stream = io.StringIO()
    try:
        configure_logging("WARNING", stream)
        await client.get("/healthz")
        assert stream.getvalue() == ""
        configure_logging("INFO", stream)
        await client.get("/healthz")
        [record] = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert record["route"] == "/healthz"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", record["time"])
    finally:
        root.handlers[:], root.level = saved
        access_log.stream, access_log.enabled = saved_access
