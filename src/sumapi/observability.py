"""Metrics (Prometheus, via aioprometheus) and JSON logging (python-json-logger)."""

from __future__ import annotations

import logging
import platform
import sys
from typing import TextIO

from aioprometheus.collectors import Counter, Gauge, Histogram, Registry
from aioprometheus.renderer import render
from pythonjsonlogger.json import JsonFormatter

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"

access_logger = logging.getLogger("sumapi.access")
logger = logging.getLogger("sumapi")


class Metrics:
    """The service's metric families, in a registry of their own (one per app instance)."""

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
        self.in_flight = Gauge(
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
        self.in_flight.set({}, 0)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.inc({"method": method, "route": route, "status": str(status)})
        self.latency.add({"route": route}, seconds)

    def render(self, accept: list[str]) -> tuple[bytes, dict[str, str]]:
        body, headers = render(self.registry, accept)
        return body, dict(headers)


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """One JSON object per line on stdout, for every logger (ours, aiohttp's, asyncio's)."""
    handler = logging.StreamHandler(sys.stdout if stream is None else stream)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's own access log would duplicate ours, without request ids or route templates.
    logging.getLogger("aiohttp.access").disabled = True
