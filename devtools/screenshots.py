"""`make screenshots`: the README's pictures, taken by headless Chromium from the running stack.

    python -m devtools.screenshots docs/img

Starts the observe stack on free ports with the alert windows divided by 60 (as the alert test
does, so the alert fires in seconds), sends traffic, breaks the app until the availability
burn-rate alert fires, and captures: the dashboard, the alerts page with the alert firing, and
the API docs served through the gateway. No page shown holds an API key.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from localenv.daemon import run_dir
from localenv.loopback import free_port
from localenv.observe import DASHBOARD, FAST_BURN_ALERT, Ports, Stack, stack, traffic

WIDTH = 1280


def capture(url: str, path: Path, height: int) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("screenshots: chromium is missing: devtools/apt-ensure chromium:chromium")
    # A fresh profile and no background networking: on a machine without internet, Chromium's
    # own connections (updates, sync) only fail, many at a time.
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                f"--window-size={WIDTH},{height}",
                "--virtual-time-budget=5000",
                f"--screenshot={path.resolve()}",
                url,
            ],
            capture_output=True,
            check=True,
            timeout=120,
        )
    print(f"screenshots: {path} <- {url}")


def wait_for(running: Stack, state: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while running.alert_state(FAST_BURN_ALERT) != state:
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: {FAST_BURN_ALERT} not {state} within {timeout:.0f}s")
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    out = Path((argv or sys.argv[1:] or ["docs/img"])[0])
    out.mkdir(parents=True, exist_ok=True)
    ports = Ports(
        gateway=free_port(), app=free_port(), exporter=free_port(), prometheus=free_port()
    )
    with stack(ports, run_dir() / "screenshots", rules_factor=60, interval="1s") as running:
        stop = threading.Event()
        threading.Thread(target=traffic, args=(running, stop), daemon=True).start()
        started = time.monotonic()
        try:
            time.sleep(40)  # a healthy baseline on the graphs
            running.chaos_switch.touch()
            wait_for(running, "firing", 60)
            time.sleep(5)
            capture(f"{running.prometheus}/classic/alerts", out / "alert-firing.png", 720)
            running.chaos_switch.unlink()
            wait_for(running, "inactive", 90)
            time.sleep(15)  # recovery visible on the graphs
            # The graphs span the stack's life, no empty stretch before it started; rates over
            # 10 s (the scrape interval here is 1 s).
            dashboard = DASHBOARD.replace(".html#", ".html?window=10s#").replace(
                "900", str(int(time.monotonic() - started) + 5)
            )
            capture(f"{running.prometheus}{dashboard}", out / "dashboard.png", 860)
            capture(f"{running.gateway}/api/docs", out / "api-docs.png", 1100)
        finally:
            running.chaos_switch.unlink(missing_ok=True)
            stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
