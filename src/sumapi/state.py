"""Typed keys for the state stored on the application."""

from __future__ import annotations

from aiohttp import web

from sumapi.config import Config
from sumapi.lifecycle import Lifecycle
from sumapi.observability import AccessLog, Metrics

CONFIG = web.AppKey("config", Config)
LIFECYCLE = web.AppKey("lifecycle", Lifecycle)
METRICS = web.AppKey("metrics", Metrics)
ACCESS_LOG = web.AppKey("access_log", AccessLog)
