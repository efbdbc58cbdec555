"""Typed keys for the state stored on the application, and the one state type no other module
owns: which worker the app is."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from sumapi.config import Config
from sumapi.lifecycle import Lifecycle
from sumapi.observability import AccessLog, Metrics


@dataclass(frozen=True, slots=True)
class Worker:
    """This app's index among `count` workers on one port (sumapi.workers); `group` names their
    snapshot sockets (sumapi.siblings), unique per supervisor, so that two services on one host
    never read each other's."""

    index: int = 0
    count: int = 1
    group: str = ""

    def address(self, index: int) -> str:
        return f"\0sumapi-{self.group}-{index}"

    @property
    def siblings(self) -> list[int]:
        return [index for index in range(self.count) if index != self.index]


CONFIG = web.AppKey("config", Config)
LIFECYCLE = web.AppKey("lifecycle", Lifecycle)
METRICS = web.AppKey("metrics", Metrics)
ACCESS_LOG = web.AppKey("access_log", AccessLog)
WORKER = web.AppKey("worker", Worker)
