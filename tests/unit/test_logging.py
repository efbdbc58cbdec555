from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiohttp import web

from sumapi.config import Config
from sumapi.observability import configure_logging, process_log_stream
from sumapi.state import ACCESS_LOG
from tests.unit.in_process import Client, ClientFactory, ready_app


@contextmanager
def logging_into(stream: io.StringIO, level: str) -> Iterator[None]:
    """The process's logging configured as sumapi.__main__ does, into `stream`, then restored."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging(level, stream)
    try:
        yield
    finally:
        root.handlers[:], root.level = saved


@pytest.fixture
def json_logs() -> Iterator[Any]:
    stream = io.StringIO()
    with logging_into(stream, "INFO"):

        def records() -> list[dict[str, Any]]:
            process_log_stream().flush()  # access lines are buffered for up to 100 ms
            # "\n" only: str.splitlines() also splits at U+2028, which JSON strings may hold.
            return [json.loads(line) for line in stream.getvalue().split("\n") if line]

        yield records


@pytest.fixture
def app(config: Config, json_logs: Any) -> web.Application:
    """Made once logging is configured, as in the service: its access log shares that stream."""
    return ready_app(config)


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


async def test_access_records_follow_the_apps_log_level(aiohttp_client: ClientFactory) -> None:
    written = {}
    for level in ("WARNING", "INFO"):
        stream = io.StringIO()
        with logging_into(stream, level):
            app = ready_app(Config(version="9.9.9", commit="abc123", log_level=level))
            client = await aiohttp_client(app)
            await client.get("/healthz")
            app[ACCESS_LOG].stream.flush()
        written[level] = stream.getvalue()
    assert written["WARNING"] == ""
    [record] = [json.loads(line) for line in written["INFO"].splitlines()]
    assert record["route"] == "/healthz"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", record["time"])


async def test_each_app_has_its_own_access_log_in_the_process_stream() -> None:
    stream = io.StringIO()
    with logging_into(stream, "INFO"):
        first, second = ready_app(Config()), ready_app(Config(log_level="ERROR"))
        assert first[ACCESS_LOG] is not second[ACCESS_LOG]
        assert first[ACCESS_LOG].stream is second[ACCESS_LOG].stream is process_log_stream()
        assert (first[ACCESS_LOG].enabled, second[ACCESS_LOG].enabled) == (True, False)
