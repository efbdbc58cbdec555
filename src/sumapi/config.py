"""Service settings, read from the environment once at start and validated there.

Every setting has a safe default for local use. A bad value raises ConfigError naming the
variable, so the process can exit with one clear line instead of failing later mid-request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sumapi import __version__
from sumapi.cpus import available_cpus

ENV_PREFIX = "SUMAPI_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
EVENT_LOOPS = ("uvloop", "asyncio")
MAX_WORKERS = 64
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9._+-]{1,64}$")


class ConfigError(ValueError):
    """A setting is invalid; the message names the environment variable."""


@dataclass(frozen=True, slots=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    # Seconds readiness reports 503 while the server still serves, so that load balancers
    # and the gateway stop routing to this instance before it stops accepting connections.
    drain_seconds: float = 5.0
    # Upper bound on waiting for in-flight requests once the listener is closed.
    shutdown_timeout_seconds: float = 15.0
    # Idle keep-alive connections are closed after this; longer than the gateway's upstream
    # keep-alive (60 s), so the gateway, not the app, closes an idle connection first.
    keepalive_seconds: float = 75.0
    log_level: str = "INFO"
    # uvloop by default: `make bench` measures both (docs/performance.md).
    event_loop: str = "uvloop"
    max_body_bytes: int = 16 * 1024
    version: str = __version__
    commit: str = "unknown"
    # Server processes on the one port (sumapi.workers). From the environment the default is
    # "auto", the CPUs the process may use (sumapi.cpus); an app built in-process is one.
    workers: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        defaults = cls()

        def raw(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return None if value is None or value == "" else value.strip()

        return cls(
            host=_host(raw("HOST"), defaults.host),
            port=_int(raw("PORT"), "PORT", defaults.port, low=1, high=65535),
            drain_seconds=_seconds(raw("DRAIN_SECONDS"), "DRAIN_SECONDS", defaults.drain_seconds),
            shutdown_timeout_seconds=_seconds(
                raw("SHUTDOWN_TIMEOUT_SECONDS"),
                "SHUTDOWN_TIMEOUT_SECONDS",
                defaults.shutdown_timeout_seconds,
            ),
            log_level=_choice(raw("LOG_LEVEL"), "LOG_LEVEL", defaults.log_level, LOG_LEVELS),
            event_loop=_choice(raw("EVENT_LOOP"), "EVENT_LOOP", defaults.event_loop, EVENT_LOOPS),
            max_body_bytes=_int(
                raw("MAX_BODY_BYTES"), "MAX_BODY_BYTES", defaults.max_body_bytes, 64, 1024 * 1024
            ),
            version=_label(raw("VERSION"), "VERSION", defaults.version),
            commit=_label(raw("COMMIT"), "COMMIT", defaults.commit),
            workers=_workers(raw("WORKERS")),
        )


def _fail(name: str, expected: str, got: str) -> ConfigError:
    return ConfigError(f"{ENV_PREFIX}{name} must be {expected}, got {got!r}")


def _host(value: str | None, default: str) -> str:
    if value is None:
        return default
    if not re.fullmatch(r"[A-Za-z0-9.:\-]{1,253}", value):
        raise _fail("HOST", "an IP address or host name", value)
    return value


def _int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value, 10)
    except ValueError:
        raise _fail(name, f"an integer from {low} to {high}", value) from None
    if not low <= number <= high:
        raise _fail(name, f"an integer from {low} to {high}", value)
    return number


def _workers(value: str | None) -> int:
    if value is None or value.casefold() == "auto":
        return min(available_cpus(), MAX_WORKERS)
    expected = f"auto or an integer from 1 to {MAX_WORKERS}"
    if not value.isdigit() or not 1 <= int(value) <= MAX_WORKERS:
        raise _fail("WORKERS", expected, value)
    return int(value)


def _seconds(value: str | None, name: str, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise _fail(name, "a number of seconds from 0 to 600", value) from None
    # `not (a <= x <= b)` also rejects NaN, which compares false to everything.
    if not 0 <= number <= 600:
        raise _fail(name, "a number of seconds from 0 to 600", value)
    return number


def _choice(value: str | None, name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of choices, in any letter case."""
    if value is None:
        return default
    by_case = {choice.casefold(): choice for choice in choices}
    if value.casefold() not in by_case:
        raise _fail(name, "one of " + ", ".join(choices), value)
    return by_case[value.casefold()]


def _label(value: str | None, name: str, default: str) -> str:
    if value is None:
        return default
    if not _LABEL_VALUE.fullmatch(value):
        raise _fail(name, "1-64 characters of [A-Za-z0-9._+-]", value)
    return value
