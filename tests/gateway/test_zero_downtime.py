"""Rolling restart under load: clients must not see a single failure.

Two app instances behind the gateway; steady POST load from several client threads. Each instance
in turn gets SIGTERM (drains, closes its listener, exits) and is started again on the same port
while the load continues. The gateway's keep-alive pool, max_fails and proxy_next_upstream
(with non_idempotent: sum is pure) must absorb every refused or closed connection.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import requests

from tests.harness.gateway import SUM_PATH, new_key, running_gateway
from tests.harness.logs import read_json_lines
from tests.harness.loopback import free_port
from tests.harness.processes import Service

CLIENT_THREADS = 4


class Load:
    """Client threads posting sums until stopped; counts every outcome a client can see."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key
        self.outcomes: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(CLIENT_THREADS)]

    def run(self, seed: int) -> None:
        with requests.Session() as session:
            session.headers["X-API-Key"] = self.key
            a = seed
            while not self.stopping.is_set():
                a += 1
                try:
                    response = session.post(self.url, json={"a": a, "b": 1}, timeout=10)
                    ok = response.status_code == 200 and response.json() == {"result": a + 1}
                    outcome = "ok" if ok else f"http {response.status_code}: {response.text[:80]}"
                except requests.RequestException as error:
                    outcome = f"error {type(error).__name__}"
                with self.lock:
                    self.outcomes[outcome] += 1

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(15)

    def count(self) -> int:
        with self.lock:
            return sum(self.outcomes.values())


def served(app: Service) -> int:
    return sum(1 for r in read_json_lines(app.log) if r.get("route") == SUM_PATH)


def test_rolling_restart_under_load_has_zero_client_failures(tmp_path: Path) -> None:
    key = new_key()
    apps = [Service(free_port(), tmp_path / name, name).start() for name in ("blue", "green")]
    try:
        with (
            running_gateway(
                tmp_path / "run",
                API_KEYS=f"loadtest:{key}",
                HIGH_RATE_CLIENTS="loadtest",
                UPSTREAM=",".join(f"127.0.0.1:{app.port}" for app in apps),
            ) as gateway,
            Load(gateway.url + SUM_PATH, key) as load,
        ):
            time.sleep(1.5)
            for app in apps:
                before = load.count()
                assert app.stop() == 0  # drains, closes the listener, exits cleanly
                # A fresh process on the same port; its log starts empty.
                app.process = None
                app.log_dir = app.log_dir.parent / f"{app.name}-restarted"
                app.start()
                time.sleep(1.5)
                assert load.count() > before  # the load really ran through the restart
            time.sleep(2.5)  # long enough for the gateway to retry the restarted instances
        outcomes = dict(load.outcomes)
        assert outcomes.get("ok", 0) > 200, outcomes
        assert outcomes == {"ok": outcomes["ok"]}, f"client-visible failures: {outcomes}"
        # Both restarted processes took traffic again: the pool really rolled over.
        assert all(served(app) > 0 for app in apps)
    finally:
        for app in apps:
            if app.process is not None:
                app.stop()
