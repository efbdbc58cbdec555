"""`make run` (localenv/run-local): starts both processes, prints working curl commands, and a
Ctrl-C (SIGINT to the foreground process group) stops both."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from tests.harness import ROOT
from tests.harness.loopback import free_port, http_status
from tests.harness.processes import base_env, spawn


def answers(port: int) -> bool:
    """The app and nginx both answer /healthz (nginx proxies it)."""
    return http_status(f"http://127.0.0.1:{port}/healthz") is not None


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
    # Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    run_local = spawn(
        ["bash", str(ROOT / "localenv" / "run-local")], env, tmp_path, "run-local", own_group=True
    )
    try:
        run_local.wait_for_output("Ctrl-C stops both", timeout=30)
        output = run_local.output().splitlines()

        key = next(
            line.split("=", 1)[1].strip()
            for line in env_file.read_text().splitlines()
            if line.startswith("API_KEY=")
        )
        assert env_file.stat().st_mode & 0o077 == 0
        [curl_sum] = [line.strip() for line in output if "X-API-Key" in line]
        assert key in curl_sum
        # run-local installs curl itself (devtools/apt-ensure), as it prints curl commands.
        pasted = subprocess.run(
            ["bash", "-c", curl_sum], capture_output=True, text=True, timeout=10, check=True
        )
        assert json.loads(pasted.stdout) == {"result": 5}
        assert answers(gateway_port)
        assert answers(app_port)

        assert run_local.stop(signal.SIGINT, timeout=20) in {0, 130}
    finally:
        run_local.stop(signal.SIGKILL, timeout=5)
    text = run_local.output()
    assert "run-local: stopped" in text
    assert '"message": "stopped"' in text  # the app's own clean-exit record
    assert not answers(gateway_port)
    assert not answers(app_port)
