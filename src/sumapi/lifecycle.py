"""The phase the readiness probe reports: starting, ready, draining (sumapi.server moves it)."""

from __future__ import annotations

import enum


class Phase(enum.Enum):
    STARTING = "starting"
    READY = "ready"
    DRAINING = "draining"


class Lifecycle:
    """Holds the phase the readiness probe reports."""

    def __init__(self) -> None:
        self.phase = Phase.STARTING

    @property
    def ready(self) -> bool:
        return self.phase is Phase.READY
