"""Typed keys for state stored on the application and on each request."""

from __future__ import annotations

from aiohttp import web

from sumapi.config import Config
from sumapi.lifecycle import Lifecycle
from sumapi.observability import Metrics

CONFIG = web.AppKey("config", Config)
LIFECYCLE = web.AppKey("lifecycle", Lifecycle)
METRICS = web.AppKey("metrics", Metrics)
REQUEST_ID = web.RequestKey("request_id", str)
