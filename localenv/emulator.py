"""Starts, stops and reports the local AWS emulator (moto_server with localenv.moto_fixes).

    python -m localenv.emulator start [--port 5000]   # idempotent: reuses a running emulator
    python -m localenv.emulator stop  [--port 5000]
    python -m localenv.emulator status [--port 5000]

The emulator keeps every resource (and the Terraform state bucket) in memory: it is all
gone when the process stops. One pid file per port under .run/ lets tests run their own
emulator on a free port next to the developer's.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from localenv.ports import in_use

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = int(os.environ.get("SUMAPI_EMULATOR_PORT", "5000"))
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


def run_dir() -> Path:
    return Path(os.environ.get("SUMAPI_RUN_DIR", ROOT / ".run"))


def pid_file(port: int) -> Path:
    return run_dir() / f"emulator-{port}.pid"


def log_file(port: int) -> Path:
    return run_dir() / f"emulator-{port}.log"


def endpoint(host: str, port: int) -> str:
    return f"http://{host}:{port}"


def answers(host: str, port: int) -> bool:
    """True when something speaking moto's API answers on host:port."""
    url = f"{endpoint(host, port)}/moto-api/"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (fixed http URL)
            return bool(response.status == 200)
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


def read_pid(port: int) -> int | None:
    try:
        pid = int(pid_file(port).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def start(host: str, port: int) -> int:
    pid = read_pid(port)
    if pid is not None and answers(host, port):
        print(f"emulator: already running at {endpoint(host, port)} (pid {pid})")
        return 0
    if in_use(port, host):
        print(
            f"emulator: port {port} is taken by a process this tool did not start; "
            "stop it or choose another port (SUMAPI_EMULATOR_PORT)",
            file=sys.stderr,
        )
        return 1
    run_dir().mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    # moto answers for this fixed account/region; credentials only need to be present.
    env.setdefault("AWS_ACCESS_KEY_ID", "testing")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with log_file(port).open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "localenv.emulator_server", "-H", host, "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives `make`, which started it
        )
    pid_file(port).write_text(f"{process.pid}\n")
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pid_file(port).unlink(missing_ok=True)
            print(
                f"emulator: exited with {process.returncode}, see {log_file(port)}",
                file=sys.stderr,
            )
            return 1
        if answers(host, port):
            print(f"emulator: running at {endpoint(host, port)} (pid {process.pid})")
            return 0
        time.sleep(0.2)
    stop(port)
    print(f"emulator: no answer within {START_TIMEOUT_SECONDS:.0f}s", file=sys.stderr)
    return 1


def stop(port: int) -> int:
    pid = read_pid(port)
    if pid is None:
        pid_file(port).unlink(missing_ok=True)
        print(f"emulator: not running on port {port}")
        return 0
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and read_pid(port) is not None:
        time.sleep(0.1)
    if read_pid(port) is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    pid_file(port).unlink(missing_ok=True)
    print(f"emulator: stopped (pid {pid}); its in-memory state is gone")
    return 0


def status(host: str, port: int) -> int:
    pid = read_pid(port)
    if pid is not None and answers(host, port):
        print(f"emulator: running at {endpoint(host, port)} (pid {pid})")
        return 0
    print(f"emulator: not running on port {port}")
    return 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localenv.emulator", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    if args.action == "start":
        return start(args.host, args.port)
    if args.action == "stop":
        return stop(args.port)
    return status(args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
