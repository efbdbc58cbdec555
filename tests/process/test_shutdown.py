"""Graceful shutdown, for real: a server process, slow in-flight requests, a SIGTERM; with one
worker and with two (sumapi.workers: the signal goes to the supervisor, every worker drains).

The in-flight requests hit a test-only /slow route (tests/process/slow_server.py) that wraps the
real app and the real signal/drain/shutdown code. A request is in flight once its body is complete:
nginx buffers request bodies before proxying, so the app never waits on a slow upload.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from tests.harness.loopback import http_status
from tests.harness.processes import running_service

DRAIN = 2.0
TIMEOUT = 6.0
HOLD = DRAIN + 2.0  # in-flight requests outlive the drain and finish during the shutdown wait
# Each on a connection of its own: the kernel spreads connections over the workers, and with 16
# the chance that one worker gets none is 2 * 2**-16.
IN_FLIGHT = 16
WORKERS = pytest.mark.parametrize("workers", [1, 2])


@WORKERS
async def test_sigterm_drains_then_finishes_in_flight_and_exits_0(
    tmp_path: Path, workers: int
) -> None:
    with running_service(
        tmp_path,
        module="tests.process.slow_server",
        SUMAPI_DRAIN_SECONDS=str(DRAIN),
        SUMAPI_SHUTDOWN_TIMEOUT_SECONDS=str(TIMEOUT),
        SUMAPI_WORKERS=str(workers),
    ) as service:
        base, process = service.url, service.popen
        connector = aiohttp.TCPConnector(force_close=True)  # no connection is reused
        async with aiohttp.ClientSession(connector=connector) as session:
            in_flight = [
                asyncio.create_task(session.get(f"{base}/slow?seconds={HOLD}"))
                for _ in range(IN_FLIGHT)
            ]
            await asyncio.sleep(0.5)  # the handlers are now sleeping

            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)

            # Draining: not ready, still alive, still serving new connections (each a new
            # connection: with two workers, both are asked).
            for _ in range(8):
                assert await asyncio.to_thread(http_status, f"{base}/readyz") == 503
                assert await asyncio.to_thread(http_status, f"{base}/healthz") == 200

            # After the drain period the listener is closed: nothing answers new connections.
            await asyncio.sleep(DRAIN + 0.5 - (time.monotonic() - signalled))
            assert await asyncio.to_thread(http_status, f"{base}/healthz") is None
            assert process.poll() is None, "exited before in-flight requests finished"

            responses = await asyncio.gather(*in_flight)
            assert [r.status for r in responses] == [200] * IN_FLIGHT
            answers = [await r.json() for r in responses]
            assert {answer["slept"] for answer in answers} == {HOLD}
            # Every worker held requests through the drain, and finished them.
            assert {answer["worker"] for answer in answers} == set(range(workers))

        returncode = await asyncio.to_thread(process.wait, DRAIN + TIMEOUT)
        elapsed = time.monotonic() - signalled
    assert returncode == 0
    assert elapsed < DRAIN + TIMEOUT
    records = [json.loads(line) for line in service.log.read_text().splitlines()]
    for worker in range(workers):
        messages = [r["message"] for r in records if r.get("worker", 0) == worker]
        assert messages.index("draining") < messages.index("stopped"), worker


@WORKERS
async def test_requests_beyond_the_timeout_are_cut_and_the_process_still_exits_0(
    tmp_path: Path, workers: int
) -> None:
    with running_service(
        tmp_path,
        module="tests.process.slow_server",
        SUMAPI_DRAIN_SECONDS="0.5",
        SUMAPI_SHUTDOWN_TIMEOUT_SECONDS="1",
        SUMAPI_WORKERS=str(workers),
    ) as service:
        process = service.popen
        async with aiohttp.ClientSession() as session:
            stuck = asyncio.create_task(session.get(f"{service.url}/slow?seconds=30"))
            await asyncio.sleep(0.3)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            returncode = await asyncio.to_thread(process.wait, 10)
            elapsed = time.monotonic() - started
            with pytest.raises(aiohttp.ClientError):
                await stuck
    assert returncode == 0
    assert elapsed < 5


@WORKERS
async def test_second_signal_skips_the_rest_of_the_drain(tmp_path: Path, workers: int) -> None:
    with running_service(
        tmp_path,
        SUMAPI_DRAIN_SECONDS="30",
        SUMAPI_SHUTDOWN_TIMEOUT_SECONDS="5",
        SUMAPI_WORKERS=str(workers),
    ) as service:
        process = service.popen
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        await asyncio.sleep(0.3)
        assert await asyncio.to_thread(http_status, f"{service.url}/readyz") == 503
        process.send_signal(signal.SIGINT)
        returncode = await asyncio.to_thread(process.wait, 10)
    assert returncode == 0
    assert time.monotonic() - started < 10
