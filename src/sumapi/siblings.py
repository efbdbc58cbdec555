"""Which worker an app is, and its siblings' metrics for a scrape.

Prometheus scrapes one port; with several workers (sumapi.workers) the kernel hands each scrape
to one of them. That worker answers for the task: it asks each sibling for a snapshot of its
counts over a Unix socket (abstract namespace: no file to clean up) and renders the sums, so
the task exports the same series, with the same labels, as one process does, and the recording
rules read them unchanged. The request path is untouched: a snapshot is taken only when asked.

A sibling that does not answer makes the scrape fail (503) rather than report a partial sum: a
counter that drops by one worker's share would look like a reset to Prometheus, which rate()
turns into a burst of requests that never happened. Workers stop only together (the supervisor
stops all when one dies), so this happens only while the task stops.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

from aiohttp import web

from sumapi.problems import ProblemError
from sumapi.state import METRICS, WORKER

SNAPSHOT_TIMEOUT_SECONDS = 2.0


async def serve_snapshots(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: answers the siblings' requests for this app's snapshot while it runs
    (through the drain too: it closes after the listener and the in-flight requests)."""
    worker = app[WORKER]
    if worker.count == 1:
        yield
        return

    async def send(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(app[METRICS].snapshot())
        await writer.drain()
        writer.close()

    server = await asyncio.start_unix_server(send, path=worker.address(worker.index))
    yield
    server.close()
    await server.wait_closed()


async def sibling_snapshots(app: web.Application) -> list[bytes]:
    """Every sibling's snapshot, or a 503 ProblemError naming the ones that did not answer."""
    worker = app[WORKER]
    results = await asyncio.gather(
        *(_snapshot(worker.address(index)) for index in worker.siblings), return_exceptions=True
    )
    missing = [
        f"{index} ({type(result).__name__})"
        for index, result in zip(worker.siblings, results, strict=True)
        if isinstance(result, BaseException)
    ]
    if missing:
        raise ProblemError(
            503,
            f"Worker(s) {', '.join(missing)} of {worker.count} did not answer; a sum without "
            "them would look like a counter reset. Scrape again.",
        )
    return [result for result in results if isinstance(result, bytes)]


async def _snapshot(address: str) -> bytes:
    # A socket of our own: uvloop's open_unix_connection(path) refuses abstract addresses.
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        async with asyncio.timeout(SNAPSHOT_TIMEOUT_SECONDS):
            await asyncio.get_running_loop().sock_connect(sock, address)
            reader, writer = await asyncio.open_unix_connection(sock=sock)
            try:
                return await reader.read()
            finally:
                writer.close()
    finally:
        sock.close()
