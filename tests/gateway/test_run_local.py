"""`make run` (localenv/run-local): starts both processes, prints working curl commands, and a
Ctrl-C (SIGINT to the foreground process group) stops both."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.gateway.harness import ROOT, base_env, free_port

pytestmark = pytest.mark.slow


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_make_run_prints_working_curl_commands_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path,
) -> None:
    gateway_port, app_port = free_port(), free_port()
    env_file = tmp_path / ".env.local"
    env = base_env(
        GATEWAY_PORT=str(gateway_port),
        APP_PORT=str(app_port),
        ENV_FILE=str(env_file),
        RUN_DIR=str(tmp_path / "run"),
        PY=sys.executable,
    )
    process = subprocess.Popen(
        ["bash", str(ROOT / "localenv" / "run-local")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []])
    reader.start()
    output: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while not any("Ctrl-C stops both" in line for line in output):
            assert time.monotonic() < deadline, "".join(output)
            try:
                output.append(lines.get(timeout=1))
            except queue.Empty:
                assert process.poll() is None, "".join(output)

        key = next(
            line.split("=", 1)[1].strip()
            for line in env_file.read_text().splitlines()
            if line.startswith("API_KEY=")
        )
        assert env_file.stat().st_mode & 0o077 == 0
        [curl_sum] = [line.strip() for line in output if "X-API-Key" in line]
        assert key in curl_sum
        if shutil.which("curl"):
            pasted = subprocess.run(
                ["bash", "-c", curl_sum], capture_output=True, text=True, timeout=10, check=True
            )
            assert json.loads(pasted.stdout) == {"result": 5}
        assert listening(gateway_port)
        assert listening(app_port)

        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(20) in {0, 130}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        reader.join(5)
    while not lines.empty():
        output.append(lines.get())
    text = "".join(output)
    assert "run-local: stopped" in text
    assert '"message": "stopped"' in text  # the app's own clean-exit record
    assert not listening(gateway_port)
    assert not listening(app_port)
