"""The availability burn-rate alert fires for real, and resolves, against the running stack.

Real app (with the chaos switch of localenv/chaos_app.py), real gateway, real Prometheus
evaluating the production rules with every window and `for:` divided by 60 (generated from the
real file, so the copy cannot drift): 5m becomes 5s, 1h 1m, `for: 2m` 2s. The failure is the app
answering 500 to every sum, as a bug would; the alert must go pending, then firing, and resolve
once the app recovers. tests/rules proves the compressed copy differs in its durations only.
"""

from __future__ import annotations

import threading
from pathlib import Path

from localenv.observe import FAST_BURN_ALERT, Ports, follow_chaos, stack, traffic
from tests.harness.loopback import free_port
from tests.harness.plugin import RecordProperty

FACTOR = 60


def test_fast_burn_alert_goes_pending_then_firing_then_resolves(
    tmp_path: Path, record_property: RecordProperty
) -> None:
    ports = Ports(
        gateway=free_port(), app=free_port(), exporter=free_port(), prometheus=free_port()
    )
    with stack(ports, tmp_path / "observe", rules_factor=FACTOR, interval="1s") as running:
        stop = threading.Event()
        worker = threading.Thread(target=traffic, args=(running, stop), daemon=True)
        worker.start()
        try:
            # Healthy traffic first: the alert is inactive.
            assert running.alert_state(FAST_BURN_ALERT) == "inactive"
            seen = follow_chaos(running, FAST_BURN_ALERT, timeout=90)
        finally:
            stop.set()
            worker.join(timeout=10)
    record_property("seconds", seen)
    print(f"\n{FAST_BURN_ALERT}: {seen}")
    assert list(seen) == ["pending", "firing", "resolved"], seen
    assert seen["pending"] < seen["firing"] < seen["resolved"]
