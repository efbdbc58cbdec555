"""Measures the service's footprint: startup-to-ready time, idle memory and memory under load.

Run with `make footprint`. Starts the real service (`python -m sumapi`, JSON logs to a file,
SUMAPI_WORKERS from the environment, else its default: one worker per CPU it may use) on a free
loopback port, times process start to the first 200 from /readyz (from any worker: all are
listening by then), reads the memory of the process and its workers when idle, then drives
POST /api/v1/sum with concurrent keep-alive clients for a bounded time and reads it again.

Memory is summed over the supervisor and its workers: resident (VmRSS; pages a forked worker
still shares with the supervisor are counted in each) and proportional (Pss: shared pages split
between the processes that share them, what the task really uses), and the peak (VmHWM, each
process's own, summed). Prints one `key=value` line per figure. Never fails on numbers.
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

from localenv.loopback import free_port, http_status

ROOT = Path(__file__).resolve().parents[1]
LOAD_SECONDS = float(os.environ.get("FOOTPRINT_LOAD_SECONDS", "5"))
CONCURRENCY = int(os.environ.get("FOOTPRINT_CONCURRENCY", "32"))


def family(pid: int) -> list[int]:
    """The process and its children (the workers, when there are several)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


def kib(path: str, field: str) -> int:
    for line in Path(path).read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def memory_mib(pid: int) -> dict[str, float]:
    pids = family(pid)
    return {
        "rss": sum(kib(f"/proc/{p}/status", "VmRSS") for p in pids) / 1024,
        "pss": sum(kib(f"/proc/{p}/smaps_rollup", "Pss") for p in pids) / 1024,
        "peak": sum(kib(f"/proc/{p}/status", "VmHWM") for p in pids) / 1024,
        "processes": len(pids),
    }


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
            idle = memory_mib(process.pid)
            requests = asyncio.run(drive_load(f"{base}/api/v1/sum", LOAD_SECONDS, CONCURRENCY))
            loaded = memory_mib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    workers = max(1, int(idle["processes"]) - 1)
    print(f"workers={workers} (processes={idle['processes']:.0f})")
    print(f"startup_to_ready_ms={ready_ms:.0f}")
    print(f"rss_idle_mib={idle['rss']:.1f} (pss {idle['pss']:.1f})")
    print(
        f"rss_loaded_mib={loaded['rss']:.1f} (pss {loaded['pss']:.1f}; peak {loaded['peak']:.1f}; "
        f"{requests} requests, {CONCURRENCY} clients, {LOAD_SECONDS:.0f}s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
