"""Measures the service's footprint: startup-to-ready time, idle RSS and RSS under load.

Run with `make footprint`. Starts the real service (`python -m sumapi`, JSON logs to a file) on a
free loopback port, times process start to the first 200 from /readyz, reads VmRSS from /proc
when idle, then drives POST /api/v1/sum with concurrent keep-alive clients for a bounded time
and reads the peak RSS (VmHWM). Prints one `key=value` line per figure. Never fails on numbers.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.harness import ROOT
from tests.harness.loopback import free_port, http_status

LOAD_SECONDS = float(os.environ.get("FOOTPRINT_LOAD_SECONDS", "5"))
CONCURRENCY = int(os.environ.get("FOOTPRINT_CONCURRENCY", "32"))


def proc_status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


async def drive_load(url: str, seconds: float, concurrency: int) -> int:
    deadline = time.monotonic() + seconds
    done = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            async with session.post(url, json={"a": 20, "b": 22}) as response:
                await response.read()
                if response.status == 200:
                    done += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return done


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SUMAPI_PORT": str(port), "SUMAPI_HOST": "127.0.0.1"}
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "sumapi"], env=env, stdout=log, stderr=log, cwd=ROOT
        )
        try:
            while http_status(f"{base}/readyz", timeout=0.5) != 200:
                if process.poll() is not None or time.monotonic() - started > 30:
                    print("footprint: the service did not become ready", file=sys.stderr)
                    return 1
                time.sleep(0.005)
            ready_ms = (time.monotonic() - started) * 1000
            time.sleep(1.0)
            idle_kib = proc_status_kib(process.pid, "VmRSS")
            requests = asyncio.run(drive_load(f"{base}/api/v1/sum", LOAD_SECONDS, CONCURRENCY))
            loaded_kib = proc_status_kib(process.pid, "VmRSS")
            peak_kib = proc_status_kib(process.pid, "VmHWM")
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"startup_to_ready_ms={ready_ms:.0f}")
    print(f"rss_idle_mib={idle_kib / 1024:.1f}")
    print(
        f"rss_loaded_mib={loaded_kib / 1024:.1f} (peak {peak_kib / 1024:.1f}; "
        f"{requests} requests, {CONCURRENCY} clients, {LOAD_SECONDS:.0f}s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
