"""The buffered log stream: access lines wait at most the flush interval, nothing changes order.
(Nothing lost on a normal exit, at most the last interval on SIGKILL: tests/process.)"""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path

import pytest

from sumapi.logstream import ATOMIC_WRITE_BYTES, LogStream, whole_lines


def lines(sink: io.StringIO) -> list[str]:
    return sink.getvalue().splitlines()


async def test_access_lines_wait_then_are_written_within_the_interval() -> None:
    sink = io.StringIO()
    stream = LogStream(sink, flush_interval=0.2)
    stream.attach(asyncio.get_running_loop())
    stream.write_line(b"a\n")
    stream.write_line(b"b\n")
    assert lines(sink) == []  # buffered, not written per line
    await asyncio.sleep(0.1)
    assert lines(sink) == []  # still within the interval
    await asyncio.sleep(0.2)
    assert lines(sink) == ["a", "b"]  # the interval (0.2 s) has passed: written, in order
    stream.detach()


async def test_a_record_is_written_at_once_after_the_lines_before_it() -> None:
    sink = io.StringIO()
    stream = LogStream(sink, flush_interval=60)
    stream.attach(asyncio.get_running_loop())
    stream.write_line(b"access 1\n")
    stream.write('{"level": "ERROR"}\n')  # what logging.StreamHandler does for any record
    assert lines(sink) == ["access 1", '{"level": "ERROR"}']
    stream.write_line(b"access 2\n")
    assert lines(sink) == ["access 1", '{"level": "ERROR"}']
    stream.detach()  # the app's cleanup: what waits is written
    assert lines(sink)[-1] == "access 2"


async def test_the_buffer_limit_writes_without_waiting_for_the_timer() -> None:
    sink = io.StringIO()
    stream = LogStream(sink, flush_interval=60, buffer_limit=100)
    stream.attach(asyncio.get_running_loop())
    for n in range(30):
        stream.write_line(b"line %02d\n" % n)  # 8 bytes each: the 13th reaches 104 bytes
    assert len(lines(sink)) == 26
    stream.detach()
    assert lines(sink) == [f"line {n:02d}" for n in range(30)]


def test_without_an_event_loop_every_line_is_written_through() -> None:
    sink = io.StringIO()
    stream = LogStream(sink, flush_interval=60)
    stream.write_line(b"started\n")
    assert lines(sink) == ["started"]


def test_bytes_reach_a_binary_sink_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "log"
    with path.open("w", encoding="utf-8") as sink:
        stream = LogStream(sink)
        stream.write("record é\n")
        stream.write_line("access ü\n".encode())
    assert path.read_text(encoding="utf-8") == "record é\naccess ü\n"


@pytest.mark.parametrize("limit", [1, 7, 16, 100])
def test_pieces_are_whole_lines_within_the_limit(limit: int) -> None:
    data = b"".join(b"line %d %s\n" % (n, b"x" * (n % 9)) for n in range(40))
    pieces = [bytes(piece) for piece in whole_lines(data, limit)]
    assert b"".join(pieces) == data
    for piece in pieces:
        assert piece.endswith(b"\n")
        # Longer than the limit only when it is a single line.
        assert len(piece) <= limit or piece.count(b"\n") == 1


def test_a_pipe_gets_writes_no_longer_than_pipe_buf(tmp_path: Path) -> None:
    """Several workers share stdout: a write of at most PIPE_BUF bytes to a pipe is atomic."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as sink:
        stream = LogStream(sink)
        writes: list[int] = []
        real_write = os.write

        def record(fd: int, data: bytes | memoryview) -> int:
            writes.append(len(data))
            return real_write(fd, data)

        lines_out = [b'{"n": %d, "pad": "%s"}\n' % (n, b"p" * 90) for n in range(200)]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(os, "write", record)
            stream.write_line(b"".join(lines_out))  # 20 KB at once, as a flush of the buffer
    with os.fdopen(read_end, "rb") as source:
        assert source.read() == b"".join(lines_out)
    assert len(writes) > 1
    assert max(writes) <= ATOMIC_WRITE_BYTES
