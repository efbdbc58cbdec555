"""Malformed and hostile HTTP over raw sockets, against the real nginx in front of the real app.

Scanners send this all day. Whatever nginx answers itself, at any phase (request line, headers,
body framing), must be the API's problem+json shape with a 4xx status -- 501/505 only where HTTP
says so -- and never a 500 or an HTML page: on AWS a gateway 5xx is a target 5xx that pages.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.harness.gateway import Gateway
from tests.harness.plugin import RecordProperty

SEED = 20261124
GENERATED_PER_PHASE = 200
ALLOWED_5XX = {501, 505}  # Not Implemented (a transfer coding), HTTP Version Not Supported


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    http09: bool = False


def exchange(gateway: Gateway, request: bytes, timeout: float = 5.0) -> Answer | None:
    """Sends raw bytes and reads one answer; None: nginx closed without answering.

    The socket is not half-closed: nginx takes a client's FIN for an abort (499, no answer).
    """
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=timeout) as sock:
        # nginx may answer and close before it read everything we sent.
        with contextlib.suppress(OSError):
            sock.sendall(request)
        data = b""
        try:
            while not complete(data, head_only=request.startswith(b"HEAD ")):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
    if not data:
        return None
    if not data.startswith(b"HTTP/"):
        # An HTTP/0.9 request (no version) gets an HTTP/0.9 answer: the body alone.
        return Answer(int(json.loads(data)["status"]), {}, data, http09=True)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(status, headers, body)


def complete(data: bytes, head_only: bool) -> bool:
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        return data.startswith(b"{") and data.endswith(b"}\n")  # HTTP/0.9: the body alone
    if head_only:
        return True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return body.endswith(b"0\r\n\r\n")  # chunked


def assert_problem(request: bytes, answer: Answer | None) -> None:
    assert answer is not None, f"no answer to {request[:120]!r}"
    assert answer.status < 500 or answer.status in ALLOWED_5XX, (answer.status, request[:200])
    if answer.status < 400:
        return  # proxied to the app: a real answer
    if answer.http09:
        assert json.loads(answer.body)["title"], answer.body
        return
    content_type = answer.headers.get("content-type", "")
    assert content_type.startswith("application/problem+json"), (
        answer.status,
        request[:200],
        answer.body[:200],
    )
    if request.startswith(b"HEAD "):
        return
    length = int(answer.headers.get("content-length", len(answer.body)))
    problem = json.loads(answer.body[:length])
    assert problem["status"] == answer.status, problem
    assert problem["title"], problem
    assert b"<html" not in answer.body.lower()


KNOWN = {
    "GET /healthz%00": (b"GET /healthz%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "POST /api/v1/sum%00": (
        b"POST /api/v1/sum%00 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        400,
    ),
    "control byte in the path": (b"GET /heal\x01thz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "20 KB URI": (b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "/../..": (b"GET /../.. HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "/%2e%2e/": (b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "/%zz": (b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "junk method byte": (b"G\x7fT /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "oversized header": (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 40_000 + b"\r\n\r\n",
        431,
    ),
    "bad chunk size": (
        b"POST /api/v1/sum HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"zz\r\n{}\r\n0\r\n\r\n",
        400,
    ),
    "unknown Transfer-Encoding": (
        b"POST /api/v1/sum HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        501,
    ),
    "unsupported HTTP version": (b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    "HTTP/1.1 without Host": (b"GET /healthz HTTP/1.1\r\n\r\n", 400),
    "control byte in Content-Type": (
        b"POST /api/v1/sum HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\x01\r\n"
        b"Content-Length: 2\r\n\r\n{}",
        400,
    ),
    "control byte in another header": (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: \x01\r\n\r\n",
        200,
    ),
    "TLS handshake on the plain port": (
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64),
        400,
    ),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_malformed_requests_get_a_problem_4xx(gateway: Gateway, name: str) -> None:
    request, status = KNOWN[name]
    answer = exchange(gateway, request)
    assert_problem(request, answer)
    assert answer is not None
    assert answer.status == status, (name, answer.status, answer.body[:200])


def request_lines(rng: random.Random) -> Iterator[bytes]:
    methods = [
        b"GET",
        b"POST",
        b"HEAD",
        b"PUT",
        b"DELETE",
        b"OPTIONS",
        b"TRACE",
        b"CONNECT",
        b"PATCH",
    ]
    paths = [b"/healthz", b"/api/v1/sum", b"/readyz", b"/api/docs", b"/metrics", b"/", b"*"]
    versions = [
        b"HTTP/1.1",
        b"HTTP/1.0",
        b"HTTP/0.9",
        b"HTTP/2.0",
        b"HTTP/1.x",
        b"HTTP/9.9",
        b"",
        b"FTP/1.0",
    ]
    for _ in range(GENERATED_PER_PHASE):
        method = (
            rng.choice(methods)
            if rng.random() < 0.6
            else bytes(rng.choices(range(256), k=rng.randint(1, 8)))
        )
        path = rng.choice(paths)
        for _ in range(rng.randint(0, 3)):
            mutation = rng.choice(
                [
                    b"%00",
                    b"%zz",
                    b"%2e%2e/",
                    b"/../",
                    b"//",
                    b"\x01",
                    b"\x7f",
                    b"%",
                    b"?a=%00",
                    b"#f",
                    b"\xff",
                    b" ",
                    bytes([rng.randint(0, 255)]),
                    b"a" * rng.choice([10, 5000, 9000]),
                ]
            )
            cut = rng.randint(0, len(path))
            path = path[:cut] + mutation + path[cut:]
        version = rng.choice(versions)
        yield method + b" " + path + (b" " + version if version else b"") + b"\r\nHost: x\r\n\r\n"


def header_blocks(rng: random.Random) -> Iterator[bytes]:
    names = [b"Host", b"X-API-Key", b"Content-Type", b"X-Request-ID", b"X-Forwarded-For", b"Cookie"]
    for _ in range(GENERATED_PER_PHASE):
        lines = [b"GET /healthz HTTP/1.1"]
        if rng.random() < 0.9:
            lines.append(
                b"Host: "
                + rng.choice([b"x", b"", b"a" * 300, b"exa mple", b"\x00", b"[::1]:99999"])
            )
        for _ in range(rng.randint(0, 6)):
            name = rng.choice(names)
            if rng.random() < 0.3:
                name += bytes(rng.choices(b' \t:\x00\x7f()<>@,;\\"/[]?={}', k=1))
            value = rng.choice(
                [b"v", b"\x01", b"a" * rng.choice([100, 9000, 33000]), b"", b"\xc3\x28", b"x\rY"]
            )
            lines.append(name + b":" + rng.choice([b" ", b"", b"  \t"]) + value)
        if rng.random() < 0.2:
            lines.append(b" folded continuation")
        yield b"\r\n".join(lines) + b"\r\n\r\n"


def body_framings(rng: random.Random) -> Iterator[bytes]:
    body = b'{"a": 1, "b": 2}'
    for _ in range(GENERATED_PER_PHASE):
        head = b"POST /api/v1/sum HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        choice = rng.randrange(6)
        if choice == 0:  # Content-Length that is not a length
            length = rng.choice(
                [b"-1", b"abc", b"1 2", b"99999999999999999999", b"0x10", b"", b"+5"]
            )
            yield head + b"Content-Length: " + length + b"\r\n\r\n" + body
        elif choice == 1:  # two different lengths
            yield head + b"Content-Length: 16\r\nContent-Length: 3\r\n\r\n" + body
        elif choice == 2:  # chunked with broken chunk sizes or terminators
            size = rng.choice([b"zz", b"-1", b"ffffffffffffffffff", b"10;ext", b"", b"1 0"])
            yield (
                head
                + b"Transfer-Encoding: chunked\r\n\r\n"
                + size
                + b"\r\n"
                + body
                + b"\r\n0\r\n\r\n"
            )
        elif choice == 3:  # a transfer coding nginx does not implement
            coding = rng.choice(
                [
                    b"gzip",
                    b"compress",
                    b"deflate, chunked",
                    b"chunked, gzip",
                    b"x-custom",
                    b"identity",
                ]
            )
            yield head + b"Transfer-Encoding: " + coding + b"\r\n\r\n" + body
        elif choice == 4:  # both framings (request smuggling shape)
            yield (
                head
                + b"Content-Length: 16\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n"
                + body
                + b"\r\n0\r\n\r\n"
            )
        else:  # a body far over the limit, declared up front
            yield (
                head
                + b"Content-Length: "
                + str(rng.choice([16385, 10**6, 10**9])).encode()
                + b"\r\n\r\n"
                + body
            )


PHASES = {"request line": request_lines, "headers": header_blocks, "body framing": body_framings}


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_generated_malformed_requests_never_get_a_5xx_or_html(
    gateway: Gateway, phase: str, record_property: RecordProperty
) -> None:
    rng = random.Random(f"{SEED}-{phase}")
    statuses: Counter[int] = Counter()
    for request in PHASES[phase](rng):
        answer = exchange(gateway, request)
        assert_problem(request, answer)
        assert answer is not None
        statuses[answer.status] += 1
    record_property("statuses", dict(statuses))
    print(f"\n{phase}: {sum(statuses.values())} cases, statuses {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) == GENERATED_PER_PHASE
