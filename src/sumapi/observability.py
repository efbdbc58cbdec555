"""Metrics (Prometheus, via aioprometheus) and JSON logging (python-json-logger)."""

from __future__ import annotations

import logging
import platform
import sys
import time
from bisect import bisect_left
from collections.abc import Sequence
from typing import TextIO

import orjson
from aioprometheus.collectors import Counter, Gauge, Histogram, Registry
from aioprometheus.histogram import Histogram as RouteHistogram
from aioprometheus.renderer import render
from pythonjsonlogger.json import JsonFormatter

from sumapi.logstream import LogStream

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"

ACCESS_LOGGER_NAME = "sumapi.access"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
logger = logging.getLogger("sumapi")


class AccessLog:
    """The per-request access record of one app, one JSON line into the process's LogStream.

    It is the hottest log line by far: going through a LogRecord and python-json-logger cost a
    third of the service's time per request (measured with `make bench`). Its shape is the same
    as every other record (time, level, logger, message, then the fields), and the app's log
    level still governs it: below INFO it is off. The stream buffers it (see sumapi.logstream).
    """

    def __init__(self, stream: LogStream, level: str) -> None:
        self.stream = stream
        self.enabled = logging.getLevelName(level) <= logging.INFO
        self._second = -1
        self._head = b""

    def write(
        self,
        request_id: str,
        method: str,
        route: str,
        path: str,
        status: int,
        seconds: float,
        remote: str | None,
        client_ip: str,
    ) -> None:
        """request_id must be one of REQUEST_ID's characters (sumapi.observed checks or mints
        it); every other string is JSON-escaped here, whatever a client put in it."""
        if not self.enabled:
            return
        now = time.time()
        if int(now) != self._second:  # the stamp has one-second resolution: format it once
            self._second = int(now)
            self._head = _ACCESS_HEAD % time.strftime(TIME_FORMAT, time.localtime(now)).encode()
        # A template rather than orjson.dumps(dict): the same bytes at 60 % of the cost (the
        # dict had to be built per request); test_logging parses lines with hostile values.
        self.stream.write_line(
            _ACCESS_TAIL
            % (
                self._head,
                request_id.encode(),
                dumps(method),
                dumps(route),
                dumps(path),
                status,
                seconds * 1000,
                dumps(remote),
                dumps(client_ip),
            )
        )

    def flush(self) -> None:
        self.stream.flush()


_ACCESS_HEAD = b'{"time":"%s","level":"INFO","logger":"%s","message":"access"' % (
    b"%s",
    ACCESS_LOGGER_NAME.encode(),
)
_ACCESS_TAIL = (
    b'%s,"request_id":"%s","method":%s,"route":%s,"path":%s,"status":%d,"duration_ms":%.3f,'
    b'"remote":%s,"client_ip":%s}\n'
)
dumps = orjson.dumps


class RouteLatency:
    """One route's latency observations: a count per bucket (the last is +Inf) and their sum."""

    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        self.counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self.sum = 0.0

    def add(self, counts: list[int], total: float) -> None:
        self.counts = [mine + theirs for mine, theirs in zip(self.counts, counts, strict=True)]
        self.sum += total

    def histogram(self) -> RouteHistogram:
        """The cumulative form the exposition format wants, as aioprometheus renders it."""
        histogram = RouteHistogram(*LATENCY_BUCKETS)
        running = 0
        for bound, count in zip(histogram.buckets, self.counts, strict=True):
            running += count
            histogram.buckets[bound] = running
        histogram.observations = running
        histogram.sum = self.sum
        return histogram


class Metrics:
    """The service's metric families, in a registry of their own (one per app instance).

    The request path touches only plain Python objects: a dict of counts, an int, and a list of
    bucket counts per route. aioprometheus' label-checked `inc`/`add`/`observe` calls cost a tenth
    of a request's time (measured with `make bench`), so all of it is copied into the registry
    when it is scraped.

    With several workers a scrape reaches one of them, which adds up the others' snapshots
    (sumapi.siblings): the task exports one set of series, as with one process.
    """

    def __init__(self, version: str, commit: str) -> None:
        self.registry = Registry()
        self.requests = Counter(
            "sumapi_http_requests_total",
            "HTTP requests handled, by method, route template and status code.",
            registry=self.registry,
        )
        self.latency = Histogram(
            "sumapi_http_request_duration_seconds",
            "Time from request received to response ready, by route template.",
            registry=self.registry,
            buckets=LATENCY_BUCKETS,
        )
        self.in_flight_gauge = Gauge(
            "sumapi_http_requests_in_flight",
            "Requests being handled right now.",
            registry=self.registry,
        )
        self.build_info = Gauge(
            "sumapi_build_info",
            "Always 1; labels carry the running build.",
            registry=self.registry,
        )
        self.build_info.set(
            {"version": version, "commit": commit, "python": platform.python_version()}, 1
        )
        self.in_flight = 0
        self._request_counts: dict[tuple[str, str, int], int] = {}
        self._latency_by_route: dict[str, RouteLatency] = {}

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        """One handled request: counted by method, route and status, timed by route."""
        key = (method, route, status)
        self._request_counts[key] = self._request_counts.get(key, 0) + 1
        latency = self._latency_by_route.get(route)
        if latency is None:
            latency = self._latency_by_route[route] = RouteLatency()
        # One bucket per observation (C bisect), made cumulative when scraped: aioprometheus'
        # own observe() increments every bucket above the value in Python.
        latency.counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        latency.sum += seconds

    def snapshot(self) -> bytes:
        """What render needs of this instance, for another worker's render."""
        return orjson.dumps(
            {
                "requests": [[*key, count] for key, count in self._request_counts.items()],
                "latency": [
                    [route, latency.counts, latency.sum]
                    for route, latency in self._latency_by_route.items()
                ],
                "in_flight": self.in_flight,
            }
        )

    def render(
        self, accept: list[str], siblings: Sequence[bytes] = ()
    ) -> tuple[bytes, dict[str, str]]:
        """The exposition of this instance's counts plus those of its siblings' snapshots."""
        request_counts = dict(self._request_counts)
        latency_by_route: dict[str, RouteLatency] = {}
        for route, latency in self._latency_by_route.items():
            latency_by_route[route] = RouteLatency()
            latency_by_route[route].add(latency.counts, latency.sum)
        in_flight = self.in_flight
        for snapshot in siblings:
            sibling = orjson.loads(snapshot)
            for method, route, status, count in sibling["requests"]:
                key = (method, route, status)
                request_counts[key] = request_counts.get(key, 0) + count
            for route, counts, total in sibling["latency"]:
                latency_by_route.setdefault(route, RouteLatency()).add(counts, total)
            in_flight += sibling["in_flight"]
        for (method, route, status), count in request_counts.items():
            self.requests.set({"method": method, "route": route, "status": str(status)}, count)
        for route, latency in latency_by_route.items():
            self.latency.set_value({"route": route}, latency.histogram())
        self.in_flight_gauge.set({}, in_flight)
        body, headers = render(self.registry, accept)
        return body, dict(headers)


def configure_logging(level: str, sink: TextIO | None = None) -> LogStream:
    """One JSON object per line on stdout, for every logger (ours, aiohttp's, asyncio's), all
    through one LogStream so that buffered access lines and other records keep their order."""
    stream = LogStream(sys.stdout if sink is None else sink)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt=TIME_FORMAT,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's own access log would duplicate ours, without request ids or route templates.
    logging.getLogger("aiohttp.access").disabled = True
    return stream


def process_log_stream() -> LogStream:
    """The stream configure_logging gave the root logger (Python's logging is per process): an
    app's access lines go into it, so they and every other record keep their order. Where
    logging was never configured (tools, some tests), a stream of its own onto stdout."""
    for handler in logging.getLogger().handlers:
        stream = getattr(handler, "stream", None)
        if isinstance(stream, LogStream):
            return stream
    return LogStream(sys.stdout)
