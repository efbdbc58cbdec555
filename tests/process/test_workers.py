"""Two workers on one port (sumapi.workers), as real processes: both serve, /metrics counts
both, a dead worker stops the task, no worker outlives its supervisor, Ctrl-C drains once, and
their access lines never interleave on a shared pipe. (Both drain: tests/process/test_shutdown.)
"""

from __future__ import annotations

import asyncio
import fcntl
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import aiohttp

from tests.harness.loopback import HOST, free_port, http_status, wait_for_status
from tests.harness.processes import TEST_SHUTDOWN, Service, base_env, running_service, spawn

SUM = b'{"a": 1, "b": 2}'
JSON = {"Content-Type": "application/json"}


def worker_pids(service_log: Path) -> list[int]:
    for line in service_log.read_text().splitlines():
        record = json.loads(line)
        if record["message"] == "workers started":
            return [int(pid) for pid in record["pids"]]
    raise AssertionError(f"no 'workers started' record in {service_log}")


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for whatever reaps here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def wait_until_gone(pids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(running(pid) for pid in pids):
        assert time.monotonic() < deadline, f"still running: {[p for p in pids if running(p)]}"
        time.sleep(0.05)


def request(
    service: Service, method: str, path: str, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request on a connection of its own, so that the kernel picks the worker."""
    connection = http.client.HTTPConnection(HOST, service.port, timeout=5)
    try:
        connection.request(method, path, body, JSON if body else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_both_workers_serve_and_metrics_count_both(tmp_path: Path) -> None:
    with running_service(tmp_path, SUMAPI_WORKERS="2") as service:
        prefixes = set()
        for _ in range(40):
            status, headers, _ = request(service, "POST", "/api/v1/sum", SUM)
            assert status == 200
            prefixes.add(headers["X-Request-ID"][:16])  # each worker mints its own
        assert len(prefixes) == 2

        scraped_by = set()
        for _ in range(16):
            status, headers, body = request(service, "GET", "/metrics")
            assert status == 200, body
            scraped_by.add(headers["X-Request-ID"][:16])
            counted = re.search(
                rb'^sumapi_http_requests_total\{method="POST",route="/api/v1/sum",status="200"\}'
                rb" (\S+)$",
                body,
                re.M,
            )
            assert counted, body
            assert float(counted[1]) == 40  # whichever worker answers, it counts both
        assert scraped_by == prefixes


def test_a_worker_that_dies_stops_the_others_and_the_process_exits_1(tmp_path: Path) -> None:
    with running_service(tmp_path, SUMAPI_WORKERS="2", SUMAPI_DRAIN_SECONDS="2") as service:
        pids = worker_pids(service.log)
        os.kill(pids[0], signal.SIGKILL)
        time.sleep(0.5)
        # The survivor drains: not ready, still serving, and every new connection reaches it.
        for _ in range(4):
            assert http_status(f"{service.url}/readyz") == 503
        assert service.popen.wait(15) == 1
        wait_until_gone(pids, 5)
    records = [json.loads(line) for line in service.log.read_text().splitlines()]
    died = [r for r in records if r["message"].startswith("worker exited unexpectedly")]
    assert [(r["pid"], r["exit_status"]) for r in died] == [(pids[0], -signal.SIGKILL)]
    assert [r["worker"] for r in records if r["message"] == "stopped" and "worker" in r] == [1]
    assert records[-1] == {**records[-1], "message": "stopped", "exit_status": 1}


def test_no_worker_outlives_a_killed_supervisor(tmp_path: Path) -> None:
    with running_service(tmp_path, SUMAPI_WORKERS="2") as service:
        pids = worker_pids(service.log)
        service.popen.kill()
        service.popen.wait(5)
        # The kernel sends each worker SIGTERM: it drains (TEST_SHUTDOWN's 1 s) and exits.
        wait_until_gone(pids, float(TEST_SHUTDOWN["SUMAPI_DRAIN_SECONDS"]) + 5)
    messages = [json.loads(line)["message"] for line in service.log.read_text().splitlines()]
    assert messages.count("draining") == 2


def test_ctrl_c_reaches_every_worker_once_so_they_drain(tmp_path: Path) -> None:
    """A terminal's Ctrl-C signals the whole process group: each worker must still count one
    signal (the supervisor's), and drain, rather than two, which would skip the drain."""
    port = free_port()
    env = base_env(
        SUMAPI_HOST=HOST,
        SUMAPI_PORT=str(port),
        SUMAPI_WORKERS="2",
        SUMAPI_DRAIN_SECONDS="3",
        SUMAPI_SHUTDOWN_TIMEOUT_SECONDS="5",
    )
    process = spawn([sys.executable, "-m", "sumapi"], env, tmp_path, "app", own_group=True)
    try:
        process.wait_for_status(f"http://{HOST}:{port}/readyz")
        process.send(signal.SIGINT)
        time.sleep(1.0)
        for _ in range(4):
            assert http_status(f"http://{HOST}:{port}/readyz") == 503
        assert process.popen.wait(15) == 0
    finally:
        process.stop(signal.SIGKILL)
    records = [json.loads(line) for line in process.stdout.read_text().splitlines()]
    counts = [
        r["count"] for r in records if r["message"] == "stop signal received" and "worker" in r
    ]
    assert counts == [1, 1]


def test_access_lines_of_two_workers_never_interleave_on_a_pipe(tmp_path: Path) -> None:
    """stdout is a pipe under a container runtime; a one-page pipe read slowly makes writes
    longer than PIPE_BUF block part-way, where another worker's write could cut in."""
    port = free_port()
    env = base_env(SUMAPI_HOST=HOST, SUMAPI_PORT=str(port), SUMAPI_WORKERS="2", **TEST_SHUTDOWN)
    process = subprocess.Popen(
        [sys.executable, "-m", "sumapi"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    chunks: list[bytes] = []

    def read_slowly() -> None:
        assert process.stdout is not None
        while chunk := os.read(process.stdout.fileno(), 512):
            chunks.append(chunk)
            time.sleep(0.0005)

    reader = threading.Thread(target=read_slowly)
    reader.start()
    try:
        wait_for_status(f"http://{HOST}:{port}/readyz", alive=lambda: process.poll() is None)
        sent = asyncio.run(post_concurrently(f"http://{HOST}:{port}/api/v1/sum", 3000, 32))
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(10)
    lines = b"".join(chunks).decode().splitlines()
    records = [json.loads(line) for line in lines]  # a cut line would not parse
    access = [r for r in records if r["message"] == "access" and r["route"] == "/api/v1/sum"]
    assert len(access) == sent
    assert len({r["request_id"][:16] for r in access}) == 2


async def post_concurrently(url: str, total: int, connections: int) -> int:
    remaining = total

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            async with session.post(url, data=SUM, headers=JSON) as response:
                assert response.status == 200
                await response.read()

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(connections)))
    return total
