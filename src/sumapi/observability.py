"""Metrics (Prometheus, via aioprometheus) and JSON logging (python-json-logger)."""

from __future__ import annotations

import logging
import platform
import sys
import time
from typing import Any, TextIO

import orjson
from aioprometheus.collectors import Counter, Gauge, Histogram, Registry
from aioprometheus.histogram import Histogram as RouteHistogram
from aioprometheus.renderer import render
from pythonjsonlogger.json import JsonFormatter

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"

ACCESS_LOGGER_NAME = "sumapi.access"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
logger = logging.getLogger("sumapi")


class AccessLog:
    """The per-request access record, written as one JSON line straight to the log stream.

    It is the hottest log line by far: going through a LogRecord and python-json-logger cost a
    third of the service's time per request (measured with `make bench`). Its shape is the same
    as every other record (time, level, logger, message, then the fields), and the log level
    still governs it: below INFO it is off.
    """

    def __init__(self) -> None:
        self.stream: TextIO = sys.stdout
        self.enabled = True
        self._second = -1
        self._stamp = ""

    def configure(self, stream: TextIO, level: str) -> None:
        self.stream = stream
        self.enabled = logging.getLevelName(level) <= logging.INFO

    def write(self, fields: dict[str, Any]) -> None:
        if not self.enabled:
            return
        now = time.time()
        if int(now) != self._second:  # the stamp has one-second resolution: format it once
            self._second = int(now)
            self._stamp = time.strftime(TIME_FORMAT, time.localtime(now))
        record = {"time": self._stamp, "level": "INFO", "logger": ACCESS_LOGGER_NAME}
        record["message"] = "access"
        record.update(fields)
        self.stream.write(orjson.dumps(record).decode() + "\n")
        self.stream.flush()


access_log = AccessLog()


class Metrics:
    """The service's metric families, in a registry of their own (one per app instance).

    The request path touches only plain Python objects: a dict of counts, an int, and one
    aioprometheus histogram object per route that the collector renders as it is. aioprometheus'
    label-checked `inc`/`add` calls cost a tenth of a request's time (measured with `make bench`),
    so counters and the in-flight gauge are copied into the registry when it is scraped.
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
        self._latency_by_route: dict[str, RouteHistogram] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        self._request_counts[key] = self._request_counts.get(key, 0) + 1
        histogram = self._latency_by_route.get(route)
        if histogram is None:
            histogram = RouteHistogram(*LATENCY_BUCKETS)
            self.latency.set_value({"route": route}, histogram)
            self._latency_by_route[route] = histogram
        histogram.observe(seconds)

    def render(self, accept: list[str]) -> tuple[bytes, dict[str, str]]:
        for (method, route, status), count in self._request_counts.items():
            self.requests.set({"method": method, "route": route, "status": str(status)}, count)
        self.in_flight_gauge.set({}, self.in_flight)
        body, headers = render(self.registry, accept)
        return body, dict(headers)


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """One JSON object per line on stdout, for every logger (ours, aiohttp's, asyncio's)."""
    stream = sys.stdout if stream is None else stream
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
    access_log.configure(stream, level)
