"""The JSON log lines a process wrote (the service and the gateway write one object a line)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """Parses every line; a line that is not JSON fails the caller's test."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def records_with_request_id(
    path: Path, request_id: str, timeout: float = 3.0
) -> list[dict[str, Any]]:
    """The log records of one request. nginx writes its access log line after the response is
    sent (and the app may too), so a client can read the log before the line is there: poll."""
    deadline = time.monotonic() + timeout
    while True:
        found = [r for r in read_json_lines(path) if r.get("request_id") == request_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)
