"""The real service process writes every access line: all of them when it stops, all but the
last flush interval's when it is killed (the buffer of sumapi.logstream)."""

from __future__ import annotations

import http.client
import json
import signal
import time
from pathlib import Path

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


def test_every_access_line_is_out_when_the_process_stops(tmp_path: Path) -> None:
    with running_service(tmp_path, SUMAPI_DRAIN_SECONDS="0") as service:
        post_sums(service, 50)
        service.popen.send_signal(signal.SIGTERM)  # at once: the last lines are in the buffer
        assert service.popen.wait(10) == 0
    assert len(access_lines(service.log)) == 50
    messages = [json.loads(line)["message"] for line in service.log.read_text().splitlines()]
    assert messages[-1] == "stopped"  # and in order: the access lines came before


def test_a_killed_process_loses_at_most_the_last_interval(tmp_path: Path) -> None:
    with running_service(tmp_path) as service:
        post_sums(service, 40)
        time.sleep(FLUSH_INTERVAL_SECONDS + 0.15)  # older than the interval: must be out
        post_sums(service, 5)  # younger: may be lost
        service.popen.kill()
        service.popen.wait(10)
    assert 40 <= len(access_lines(service.log)) <= 45
