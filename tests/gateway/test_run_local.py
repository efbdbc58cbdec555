"""`make run` (localenv/run-local): starts both processes, prints working curl commands, and a
Ctrl-C (SIGINT to the foreground process group) stops both."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.harness import ROOT
from tests.harness.loopback import free_port, http_status, leave_time_wait, listening
from tests.harness.processes import base_env, spawn


def answers(port: int) -> bool:
    """The app and nginx both answer /healthz (nginx proxies it)."""
    return http_status(f"http://127.0.0.1:{port}/healthz") is not None


RUN_LOCAL = ["bash", str(ROOT / "localenv" / "run-local")]


def run_local_env(tmp_path: Path, gateway_port: int, app_port: int) -> dict[str, str]:
    return base_env(
        GATEWAY_PORT=str(gateway_port),
        APP_PORT=str(app_port),
        ENV_FILE=str(tmp_path / ".env.local"),
        RUN_DIR=str(tmp_path / "run"),
        PY=sys.executable,
    )


def run_until_exit(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """For a run that stops at a check: its status and output."""
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30, check=False)


def test_make_run_prints_working_curl_commands_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path,
) -> None:
    gateway_port, app_port = free_port(), free_port()
    env_file = tmp_path / ".env.local"
    env = run_local_env(tmp_path, gateway_port, app_port)
    # Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    run_local = spawn(RUN_LOCAL, env, tmp_path, "run-local", own_group=True)
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


def test_make_run_starts_on_ports_a_previous_run_left_in_time_wait(tmp_path: Path) -> None:
    """The false refusal: a run started within a minute of one that served traffic."""
    gateway_port, app_port = free_port(), free_port()
    leave_time_wait(gateway_port)
    leave_time_wait(app_port)
    env = run_local_env(tmp_path, gateway_port, app_port)
    run_local = spawn(RUN_LOCAL, env, tmp_path, "run-local", own_group=True)
    try:
        run_local.wait_for_output("Ctrl-C stops both", timeout=30)
        assert answers(gateway_port)
    finally:
        run_local.stop(signal.SIGINT, timeout=20)
    assert "already in use" not in run_local.output()


def test_make_run_refuses_a_port_something_listens_on_in_one_line(tmp_path: Path) -> None:
    gateway_port, app_port = free_port(), free_port()
    with listening(app_port):
        result = run_until_exit(RUN_LOCAL, run_local_env(tmp_path, gateway_port, app_port))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"run-local: 127.0.0.1:{app_port} is already in use (another make run?); "
        "set GATEWAY_PORT/APP_PORT"
    ]
    assert not (tmp_path / ".env.local").exists()


def only_commands(bin_dir: Path, *names: str, **scripts: str) -> str:
    """A PATH of bin_dir holding the named commands of this machine and the given scripts."""
    bin_dir.mkdir()
    for name in names:
        found = shutil.which(name)
        assert found, name
        (bin_dir / name).symlink_to(found)
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return str(bin_dir)


def test_make_run_without_apt_names_what_is_missing_and_compose_in_one_line(
    tmp_path: Path,
) -> None:
    """macOS or Fedora without curl (nginx here lives in /usr/sbin, which apt-ensure also
    looks in): no apt-get to install it with, so one line names it and the other way."""
    path = only_commands(tmp_path / "bin", "bash", "dirname", "env")
    env = {**run_local_env(tmp_path, free_port(), free_port()), "PATH": path}
    result = run_until_exit(RUN_LOCAL, env)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("apt-ensure: curl missing, and this machine has no apt-get"), line
    assert line.endswith("or run the stack in containers: docker compose up --build (compose.yaml)")


def test_apt_ensure_says_it_runs_sudo_before_it_does(tmp_path: Path) -> None:
    """As another user than root it announces sudo; sudo here is a stand-in that records."""
    path = only_commands(
        tmp_path / "bin",
        "bash",
        "env",
        id="echo 1000",
        sudo='echo "sudo $*" >&2',
        **{"apt-get": "exit 0"},
    )
    argv = [str(ROOT / "devtools" / "apt-ensure"), "no-such-command:no-such-package"]
    result = run_until_exit(argv, base_env(PATH=path))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "apt-ensure: installing no-such-package with 'sudo apt-get install' "
        "(sudo may ask for your password)"
    )
    assert lines[1:] == [
        "sudo apt-get update -qq",
        "sudo apt-get install -y -qq --no-install-recommends no-such-package",
    ]
