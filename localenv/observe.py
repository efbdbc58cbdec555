"""`make observe` and `make chaos`: the local stack watched by a real Prometheus.

    python -m localenv.observe run     # app + gateway + gateway exporter + Prometheus + traffic
    python -m localenv.observe chaos   # the running app fails every sum until the alert fires,
                                       # then recovers; prints each state of the alert

Prometheus (Debian's 2.42) scrapes the app's /metrics and the gateway exporter, evaluates the
rules of monitoring/rules (the production ones, or a copy with every window and `for:` divided
by a factor, for tests: compressed_rules), and serves the dashboard monitoring/consoles/sumapi.html.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from localenv.daemon import ROOT, DaemonError, http_answers, run_dir
from localenv.ports import in_use

RULES = ROOT / "monitoring" / "rules"
CONSOLES = ROOT / "monitoring" / "consoles"
# Debian's prometheus package ships the console libraries as examples only.
CONSOLE_LIBRARIES = Path("/usr/share/doc/prometheus/examples/console_libraries")
DURATION = re.compile(r"(?<![\w.])(\d+)([smhd])(?![\w])")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
FAST_BURN_ALERT = "SumapiAvailabilityFastBurn"
# The console's time control reads its range from the URL fragment: the last 15 minutes.
DASHBOARD = "/consoles/sumapi.html#pctc%7B%22duration%22%3A900%2C%22endTime%22%3A0%7D"


def compressed_rules(text: str, factor: int) -> str:
    """The rules with every duration (range windows, `for:`) divided by factor, at least 1 s."""

    def shorter(match: re.Match[str]) -> str:
        seconds = int(match.group(1)) * SECONDS[match.group(2)]
        return f"{max(1, seconds // factor)}s"

    out = []
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        # Durations live in expressions (inside [...]) and in `for:`; never in names or text.
        if stripped.startswith("for:"):
            line = DURATION.sub(shorter, line)
        else:
            line = re.sub(
                r"\[(\d+[smhd])\]", lambda m: "[" + DURATION.sub(shorter, m.group(1)) + "]", line
            )
        out.append(line)
    return "".join(out)


@dataclass(frozen=True)
class Ports:
    gateway: int = 8080
    app: int = 8000
    exporter: int = 9191
    prometheus: int = 9090


@dataclass
class Stack:
    ports: Ports
    work: Path
    api_key: str
    processes: list[subprocess.Popen[bytes]]

    @property
    def prometheus(self) -> str:
        return f"http://127.0.0.1:{self.ports.prometheus}"

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports.gateway}"

    @property
    def chaos_switch(self) -> Path:
        return self.work / "chaos"

    def alerts(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.prometheus}/api/v1/alerts", timeout=5) as response:  # noqa: S310
            alerts: list[dict[str, Any]] = json.load(response)["data"]["alerts"]
        return alerts

    def alert_state(self, name: str) -> str:
        states = [a["state"] for a in self.alerts() if a["labels"].get("alertname") == name]
        return "firing" if "firing" in states else (states[0] if states else "inactive")


# Where the stack's copy of the rules lives, relative to its work directory (Prometheus runs
# there): the alerts page names each group's file by this path, the repository's own, instead
# of a machine's absolute path (the README's pictures show that page).
RULES_COPY = Path("monitoring", "rules")


def prometheus_config(ports: Ports, interval: str) -> str:
    return f"""# Written by localenv/observe.py for `make observe` (not the production config).
global:
  scrape_interval: {interval}
  evaluation_interval: {interval}
rule_files:
  - {RULES_COPY}/*.rules.yml
scrape_configs:
  - job_name: sumapi
    static_configs:
      - targets: ["127.0.0.1:{ports.app}"]
  - job_name: sumapi-gateway
    static_configs:
      - targets: ["127.0.0.1:{ports.exporter}"]
"""


def check_prerequisites(ports: Ports, rules_dir: Path) -> None:
    for tool, package in (("prometheus", "prometheus"), ("promtool", "prometheus")):
        if shutil.which(tool) is None:
            raise DaemonError(
                f"observe: {tool} is missing: devtools/apt-ensure {tool}:{package} "
                "(make observe runs it)"
            )
    busy = busy_ports(ports)
    if busy:
        name, port = busy[0]
        raise DaemonError(
            f"observe: port {port} ({name}) is in use; "
            f"choose another: OBSERVE_{name.upper()}_PORT=<port>"
        )
    checked = subprocess.run(
        ["promtool", "check", "rules", *map(str, sorted(rules_dir.glob("*.rules.yml")))],
        capture_output=True,
        text=True,
        check=False,
    )
    if checked.returncode != 0:
        detail = (checked.stderr or checked.stdout).strip().splitlines()
        raise DaemonError(
            f"observe: the rules in {rules_dir} fail promtool: {detail[-1] if detail else '?'}"
        )


def busy_ports(ports: Ports) -> list[tuple[str, int]]:
    """The stack's ports something listens on: (name, port)."""
    return [(name, port) for name, port in vars(ports).items() if in_use(port)]


def wait_ready(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not http_answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise DaemonError(f"observe: {what} did not start (see {url})")
        time.sleep(0.2)


@contextlib.contextmanager
def stack(ports: Ports, work: Path, rules_factor: int = 1, interval: str = "5s") -> Iterator[Stack]:
    """Starts app + gateway (localenv/run-local), the exporter and Prometheus; stops them all."""
    rules_dir = work / RULES_COPY
    shutil.rmtree(work, ignore_errors=True)
    rules_dir.mkdir(parents=True)
    for source in RULES.glob("*.rules.yml"):
        text = source.read_text()
        (rules_dir / source.name).write_text(
            compressed_rules(text, rules_factor) if rules_factor > 1 else text
        )
    check_prerequisites(ports, rules_dir)
    (work / "prometheus.yml").write_text(prometheus_config(ports, interval))
    env_file = work / "env.local"
    access_log = work / "gateway-access.log"
    processes: list[subprocess.Popen[bytes]] = []
    log = (work / "stack.log").open("ab")
    try:
        app_env = {
            "GATEWAY_PORT": str(ports.gateway),
            "APP_PORT": str(ports.app),
            "RUN_DIR": str(work / "run"),
            "ENV_FILE": str(env_file),
            "APP_MODULE": "localenv.chaos_app",
            "ACCESS_LOG": str(access_log),
            "SUMAPI_CHAOS_FILE": str(work / "chaos"),
            "PY": sys.executable,
        }

        def start(
            argv: list[str],
            ready_url: str,
            what: str,
            env_vars: dict[str, str] | None = None,
            cwd: Path = ROOT,
        ) -> None:
            process = subprocess.Popen(
                argv,
                env={**os.environ, **(env_vars or {})},
                cwd=cwd,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own group: stopped with everything it started
            )
            processes.append(process)
            wait_ready(ready_url, process, what)

        start(
            [str(ROOT / "localenv" / "run-local")],
            f"http://127.0.0.1:{ports.gateway}/healthz",
            "the app and gateway",
            app_env,
        )
        start(
            [
                sys.executable,
                "-m",
                "localenv.gateway_exporter",
                "--log",
                str(access_log),
                "--port",
                str(ports.exporter),
            ],
            f"http://127.0.0.1:{ports.exporter}/metrics",
            "the gateway exporter",
        )
        # Relative config path: Prometheus then keeps the rule files' paths relative too.
        start(
            [
                "prometheus",
                "--config.file=prometheus.yml",
                f"--storage.tsdb.path={work / 'data'}",
                f"--web.listen-address=127.0.0.1:{ports.prometheus}",
                f"--web.console.templates={CONSOLES}",
                f"--web.console.libraries={CONSOLE_LIBRARIES}",
            ],
            f"http://127.0.0.1:{ports.prometheus}/-/ready",
            "Prometheus",
            cwd=work,
        )
        api_key = re.search(r"^API_KEY=(\S+)$", env_file.read_text(), re.MULTILINE)
        if api_key is None:
            raise DaemonError(f"observe: no API_KEY in {env_file}")
        yield Stack(ports, work, api_key.group(1), processes)
    finally:
        for process in reversed(processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def traffic(stack: Stack, stop: threading.Event, rate: float = 4.0) -> None:
    """A little steady traffic through the gateway: mostly sums (under the per-client rate
    limit: a 429 storm would hide the app), some 401s and 404s."""
    cycle = 0
    with requests.Session() as session:
        while not stop.wait(1 / rate):
            cycle += 1
            with contextlib.suppress(requests.RequestException):
                if cycle % 10 == 0:
                    session.post(
                        f"{stack.gateway}/api/v1/sum", json={"a": 1, "b": 2}, timeout=5
                    )  # 401
                elif cycle % 15 == 0:
                    session.get(f"{stack.gateway}/nope", timeout=5)
                else:
                    session.post(
                        f"{stack.gateway}/api/v1/sum",
                        json={"a": cycle, "b": 1},
                        headers={"X-API-Key": stack.api_key},
                        timeout=5,
                    )


def follow_chaos(stack: Stack, alert: str, timeout: float) -> dict[str, float]:
    """Fails the app until `alert` fires, then recovers it until the alert resolves.

    Returns when each state was first seen, in seconds from the start."""
    seen: dict[str, float] = {}
    started = time.monotonic()
    stack.chaos_switch.touch()
    state = "inactive"
    try:
        while time.monotonic() - started < timeout:
            current = stack.alert_state(alert)
            if current != state:
                state = current
                seen[state] = round(time.monotonic() - started, 1)
                print(f"chaos: {alert} {state} after {seen[state]} s", flush=True)
            if state == "firing":
                break
            time.sleep(0.5)
    finally:
        stack.chaos_switch.unlink(missing_ok=True)
    recovered = time.monotonic()
    print("chaos: failure switched off; waiting for the alert to resolve", flush=True)
    while time.monotonic() - recovered < timeout:
        if stack.alert_state(alert) == "inactive":
            seen["resolved"] = round(time.monotonic() - started, 1)
            print(f"chaos: {alert} resolved after {seen['resolved']} s", flush=True)
            break
        time.sleep(0.5)
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localenv.observe", description=__doc__)
    parser.add_argument("action", choices=["run", "chaos"])
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    ports = Ports(
        *(int(os.environ.get(f"OBSERVE_{n.upper()}_PORT", d)) for n, d in vars(Ports()).items())
    )
    work = run_dir() / "observe"
    if args.action == "chaos":
        state = work / "stack.json"
        if not state.exists():
            print(
                "chaos: no `make observe` is running (start it in another terminal)",
                file=sys.stderr,
            )
            return 1
        running = Stack(Ports(**json.loads(state.read_text())), work, "", [])
        follow_chaos(running, FAST_BURN_ALERT, args.timeout)
        return 0
    try:
        with stack(ports, work) as running:
            (work / "stack.json").write_text(json.dumps(vars(ports)))
            stop = threading.Event()
            threading.Thread(target=traffic, args=(running, stop), daemon=True).start()
            print(
                f"""
  observe: the local stack under a little traffic, watched by Prometheus
    dashboard   {running.prometheus}{DASHBOARD}
    alerts      {running.prometheus}/classic/alerts
    API docs    {running.gateway}/api/docs
  make chaos (another terminal): the app fails until {FAST_BURN_ALERT} fires, then recovers.
  Ctrl-C stops everything.
""",
                flush=True,
            )
            # Blocked, then waited for: Ctrl-C or a TERM ends the wait and the stack stops cleanly.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
            stop.set()
    except DaemonError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        (work / "stack.json").unlink(missing_ok=True)
    print("observe: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
