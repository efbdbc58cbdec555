"""The real service with production features switched off, one at a time: the bench's breakdown.

Only `make bench` uses it. The features are removed by patching this process's modules before
the app is built, so the service's own code has no switch that could turn them off in production.

    SUMAPI_PORT=... python -m bench.service_without FEATURE[,FEATURE...]

FEATURE: access_log, metrics, request_id, validation (the sum handler's body checks, replaced by
the bare baseline's handler), observed (the whole wrapper around each route: ids, errors,
metrics, log).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench.bare_app import sum_numbers as bare_sum
from sumapi import __main__ as entry
from sumapi import app as app_module
from sumapi import handlers, observed
from sumapi.observability import AccessLog, Metrics


def _no_access_log() -> None:
    AccessLog.write = lambda self, *fields: None  # type: ignore[method-assign]


def _no_metrics() -> None:
    Metrics.record = lambda self, method, route, status, seconds: None  # type: ignore[method-assign]


def _no_request_id() -> None:
    observed.request_id_for = lambda request: "-"


def _no_validation() -> None:
    app_module.handlers = _Handlers(sum_numbers=bare_sum)  # type: ignore[assignment]


def _no_observed() -> None:
    app_module.observed = lambda handler: handler  # type: ignore[assignment]


class _Handlers:
    """sumapi.handlers with some handlers swapped (create_app looks them up by attribute)."""

    def __init__(self, **swapped: Callable[..., object]) -> None:
        self._swapped = swapped

    def __getattr__(self, name: str) -> object:
        return self._swapped.get(name, getattr(handlers, name))


SWITCHES: dict[str, Callable[[], None]] = {
    "access_log": _no_access_log,
    "metrics": _no_metrics,
    "request_id": _no_request_id,
    "validation": _no_validation,
    "observed": _no_observed,
}


def main() -> int:
    features = [name for name in sys.argv[1].split(",") if name] if len(sys.argv) > 1 else []
    unknown = sorted(set(features) - set(SWITCHES))
    if unknown:
        print(f"service_without: unknown feature(s) {unknown}; known: {sorted(SWITCHES)}")
        return 2
    for name in features:
        SWITCHES[name]()
    return entry.main()


if __name__ == "__main__":
    sys.exit(main())
