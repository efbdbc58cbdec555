"""The one stream every log line of the process goes through, in order, to stdout.

Access lines (one per request, the hot path) wait in memory and are written in one write at most
FLUSH_INTERVAL_SECONDS later, or as soon as BUFFER_LIMIT_BYTES wait. A write and flush per request
was the largest single cost of a request (see `make bench`'s breakdown); batching them costs a
crash at most the last FLUSH_INTERVAL_SECONDS of access lines, never another record:

- every other record (start, drain, stop, warnings, errors) is written through at once, after
  the access lines that came before it, so the order on stdout is the order of events and an
  ERROR is out before the process can die of it;
- without a running event loop (start-up, shutdown, tools) everything is written through;
- the app flushes on shutdown (its cleanup context), and the process at exit.

Several workers (sumapi.workers) share one stdout, a pipe under a container runtime. A write to
a pipe of at most PIPE_BUF bytes is atomic, a longer one can interleave with another writer's:
what waits is written in whole lines of at most PIPE_BUF bytes each, one write(2) per piece, so
no worker's line is ever cut by another's. (Only a single line longer than that, a long
traceback, is written whole and could be interleaved.)
"""

from __future__ import annotations

import asyncio
import atexit
import os
import select
import threading
from collections.abc import Iterator
from typing import TextIO

FLUSH_INTERVAL_SECONDS = 0.1
BUFFER_LIMIT_BYTES = 64 * 1024
ATOMIC_WRITE_BYTES = select.PIPE_BUF


class LogStream:
    """A text stream for logging.StreamHandler (write-through) plus buffered access lines."""

    def __init__(
        self,
        sink: TextIO,
        flush_interval: float = FLUSH_INTERVAL_SECONDS,
        buffer_limit: int = BUFFER_LIMIT_BYTES,
    ) -> None:
        self.sink = sink
        self.flush_interval = flush_interval
        self.buffer_limit = buffer_limit
        # Bytes go straight to the file descriptor when there is one (stdout, files): no
        # decode, and pieces that are atomic on a pipe. Else to the binary layer, else as text.
        self._fd = _fileno(sink)
        self._binary = getattr(sink, "buffer", None)
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._timer: asyncio.TimerHandle | None = None
        self._lock = threading.Lock()
        atexit.register(self.flush)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Buffer access lines from now on; the flush timer runs on this loop."""
        self._loop = loop
        self._loop_thread = threading.get_ident()

    def detach(self) -> None:
        """Write what waits and go back to writing through (the loop is about to stop)."""
        self._loop = None
        self.flush()

    def write_line(self, line: bytes) -> None:
        """An access line (ending in a newline): buffered while attached, else written now."""
        self._pending.append(line)
        self._pending_bytes += len(line)
        if self._timer is None:
            if self._loop is None or threading.get_ident() != self._loop_thread:
                self.flush()
                return
            self._timer = self._loop.call_later(self.flush_interval, self.flush)
        if self._pending_bytes >= self.buffer_limit:
            self.flush()

    def write(self, text: str) -> int:
        """File API for logging: a record is written through, after the lines that wait."""
        if self._loop is not None and threading.get_ident() != self._loop_thread:
            # Another thread (rare: a library's worker) must not race the loop's buffer.
            with self._lock:
                self._emit(text.encode())
            return len(text)
        self._pending.append(text.encode())
        self.flush()
        return len(text)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        with self._lock:
            self._emit(data)

    def _emit(self, data: bytes) -> None:
        if self._fd is not None:
            self.sink.flush()  # anything written to the text (or binary) layer goes first
            for piece in whole_lines(data, ATOMIC_WRITE_BYTES):
                while piece:
                    piece = piece[os.write(self._fd, piece) :]
        elif self._binary is not None:
            self.sink.flush()
            self._binary.write(data)
            self._binary.flush()
        else:
            self.sink.write(data.decode())
            self.sink.flush()


def whole_lines(data: bytes, limit: int) -> Iterator[memoryview]:
    """data in pieces of whole lines, each at most limit bytes long unless one line is longer
    (memoryviews: nothing is copied)."""
    view = memoryview(data)
    start, end = 0, len(data)
    while end - start > limit:
        cut = data.rfind(b"\n", start, start + limit) + 1
        if cut <= start:  # one line longer than the limit: whole, on its own
            cut = data.find(b"\n", start + limit) + 1 or end
        yield view[start:cut]
        start = cut
    if start < end:
        yield view[start:]


def _fileno(sink: TextIO) -> int | None:
    try:
        return sink.fileno()
    except (AttributeError, OSError):  # io.UnsupportedOperation is an OSError
        return None
