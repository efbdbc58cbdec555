"""The service as a process: a bad setting stops it with one line; each event loop serves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.loopback import http_status
from tests.harness.processes import running_service


def test_bad_value_exits_2_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sumapi"],
        env={"SUMAPI_PORT": "eighty", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SUMAPI_PORT" in lines[0]
    assert "eighty" in lines[0]


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_each_event_loop_serves(loop: str, tmp_path: Path) -> None:
    with running_service(tmp_path, SUMAPI_EVENT_LOOP=loop) as service:
        assert http_status(f"{service.url}/healthz") == 200
    started = json.loads(service.log.read_text().splitlines()[0])
    assert started["event_loop"] == loop
