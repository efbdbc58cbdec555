"""The real service process writes every access line: all of them when it stops, all but the
last flush interval's when it is killed (the buffer of sumapi.logstream)."""

from __future__ import annotations

import http.client
import json
import signal
import time
from pathlib import Path

import pytest

from sumapi.logstream import FLUSH_INTERVAL_SECONDS
from tests.harness.processes import Service, running_service


def post_sums(service: Service, count: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=5)
    for _ in range(count):
        body = b'{"a": 1, "b": 2}'
        connection.request("POST", "/api/v1/sum", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    connection.close()


def access_lines(log_path: Path) -> list[dict[str, object]]:
    records = [json.loads(line) for line in log_path.read_text().splitlines()]
    return [record for record in records if record.get("route") == "/api/v1/sum"]


@pytest.mark.parametrize("workers", [1, 2])
def test_every_access_line_is_out_when_the_process_stops(tmp_path: Path, workers: int) -> None:
    with running_service(
        tmp_path, SUMAPI_DRAIN_SECONDS="0", SUMAPI_WORKERS=str(workers)
    ) as service:
        for _ in range(10):  # a connection each: with two workers, both serve some
            post_sums(service, 5)
        service.popen.send_signal(signal.SIGTERM)  # at once: the last lines are in the buffer
        assert service.popen.wait(10) == 0
    lines = access_lines(service.log)
    assert len(lines) == 50
    # Each worker mints ids with its own random half: every worker's lines are out.
    assert len({str(line["request_id"])[:16] for line in lines}) == workers
    records = [json.loads(line) for line in service.log.read_text().splitlines()]
    # In order: the last record is the process's own "stopped" (the supervisor's, once every
    # worker has exited, with two), after every access line.
    assert records[-1]["message"] == "stopped"
    assert "worker" not in records[-1]


def test_a_killed_process_loses_at_most_the_last_interval(tmp_path: Path) -> None:
    with running_service(tmp_path, SUMAPI_WORKERS="1") as service:
        post_sums(service, 40)
        time.sleep(FLUSH_INTERVAL_SECONDS + 0.15)  # older than the interval: must be out
        post_sums(service, 5)  # younger: may be lost
        service.popen.kill()
        service.popen.wait(10)
    assert 40 <= len(access_lines(service.log)) <= 45
