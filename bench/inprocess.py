"""The service vs the bare baseline without the kernel, wrk or a second CPU in the way.

Both apps run in this process on the same event loop. One connection's worth of pipelined
requests (32 at a time) is fed to aiohttp's real server protocol: its HTTP parser, router,
handler and response writer all run; only the socket is replaced by a transport that counts the
responses. What it measures is each app's CPU time per request, steadier than req/s on a shared
machine, so the ratio moves only when the code does.

    python -m bench.inprocess [REQUESTS] [ROUNDS]      (20000, 3)
    python -m bench.inprocess --only APP LOOP REQUESTS  (one app, no output: bench/instructions)
"""

from __future__ import annotations

import asyncio
import io
import sys
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bench.bare_app import sum_numbers as bare_sum

# From sumapi.__main__, where every commit has it: bench/instructions measures old ones too.
from sumapi.__main__ import event_loop_factory
from sumapi.app import create_app
from sumapi.config import Config
from sumapi.lifecycle import Phase
from sumapi.observability import configure_logging
from sumapi.state import LIFECYCLE

REQUEST = (
    b"POST /api/v1/sum HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
    b'Content-Length: 17\r\n\r\n{"a": 2, "b": 40}'
)
PIPELINE = 32


class CountingTransport(asyncio.Transport):
    """Accepts what the server writes and counts the 200 responses in it."""

    def __init__(self) -> None:
        super().__init__()
        self.responses = 0
        self.expected = 0
        self.all_answered = asyncio.Event()
        self.closing = False

    def expect(self, responses: int) -> None:
        self.expected = responses
        self.all_answered.clear()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.responses += bytes(data).count(b"HTTP/1.1 200 ")
        if self.responses >= self.expected:
            self.all_answered.set()

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def get_write_buffer_size(self) -> int:
        return 0


async def cpu_us_per_request(app: web.Application, requests: int) -> float:
    return await cpu_seconds_serving(app, requests) / requests * 1e6


async def cpu_seconds_serving(app: web.Application, requests: int) -> float:
    """The CPU time the app takes to answer `requests` pipelined requests (set-up not counted)."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    if runner.server is None:
        raise RuntimeError("the runner has no server after setup")
    protocol = runner.server()
    transport = CountingTransport()
    protocol.connection_made(transport)
    started = time.process_time()
    sent = 0
    while sent < requests:
        batch = min(PIPELINE, requests - sent)
        sent += batch
        transport.expect(sent)
        protocol.data_received(REQUEST * batch)
        await transport.all_answered.wait()
    elapsed = time.process_time() - started
    protocol.connection_lost(None)
    await runner.cleanup()
    return elapsed


def bare_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/api/v1/sum", bare_sum)
    return app


def service_app() -> web.Application:
    app = create_app(Config())
    app[LIFECYCLE].phase = Phase.READY
    return app


async def compare(requests: int, rounds: int) -> tuple[float, float]:
    bare, service = [], []
    for _ in range(rounds):  # interleaved, best of each: what is left is the code's cost
        bare.append(await cpu_us_per_request(bare_app(), requests))
        service.append(await cpu_us_per_request(service_app(), requests))
    return min(bare), min(service)


APPS = {"bare": bare_app, "service": service_app}
WARM_UP_REQUESTS = 2000


async def only(app: str, requests: int) -> None:
    """A warm-up, then a second app of the kind and `requests` to it: run with 0 and with N,
    and the difference is N requests, nothing else."""
    await cpu_seconds_serving(APPS[app](), WARM_UP_REQUESTS)
    await cpu_seconds_serving(APPS[app](), requests)


def main() -> int:
    configure_logging("INFO", io.StringIO())  # logging on, into memory (the real one batches)
    if sys.argv[1:2] == ["--only"]:
        app, loop, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
        with asyncio.Runner(loop_factory=event_loop_factory(loop)) as runner:
            runner.run(only(app, count))
        return 0
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for loop in ("uvloop", "asyncio"):
        factory: Callable[[], asyncio.AbstractEventLoop] = event_loop_factory(loop)
        with asyncio.Runner(loop_factory=factory) as runner:
            bare, service = runner.run(compare(requests, rounds))
        print(
            f"  in-process/{loop:8s} bare_cpu_us={bare:.1f} service_cpu_us={service:.1f} "
            f"service_vs_bare_inprocess_{loop}={bare / service:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
