"""The service as a process: a bad setting stops it with one line; each event loop serves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.loopback import http_status
from tests.harness.processes import base_env, running_service


def refusal(env: dict[str, str]) -> str:
    """The one line `python -m sumapi` prints when it refuses to start (exit 2, nothing else)."""
    result = subprocess.run(
        [sys.executable, "-m", "sumapi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


def test_bad_value_exits_2_with_one_line() -> None:
    line = refusal({"SUMAPI_PORT": "eighty", "PATH": ""})
    assert "SUMAPI_PORT" in line
    assert "eighty" in line


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_each_event_loop_serves(loop: str, tmp_path: Path) -> None:
    with running_service(tmp_path, SUMAPI_EVENT_LOOP=loop, SUMAPI_WORKERS="2") as service:
        assert http_status(f"{service.url}/healthz") == 200
    records = [json.loads(line) for line in service.log.read_text().splitlines()]
    ready = [record for record in records if record["message"] == "ready"]
    assert sorted(record["worker"] for record in ready) == [0, 1]
    assert {record["event_loop"] for record in ready} == {loop}


@pytest.mark.parametrize("workers", ["1", "3"])
def test_a_port_in_use_exits_2_with_one_line(workers: str, tmp_path: Path) -> None:
    """Not shared: SO_REUSEPORT alone would let a second service join the first one's port."""
    with running_service(tmp_path, SUMAPI_WORKERS="2") as first:
        line = refusal(base_env(SUMAPI_PORT=str(first.port), SUMAPI_WORKERS=workers))
    assert f"SUMAPI_PORT {first.port} is in use" in line
