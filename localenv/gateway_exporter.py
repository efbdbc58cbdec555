"""Prometheus metrics of the gateway, read from its JSON access log (for `make observe`).

    python -m localenv.gateway_exporter --log .run/observe/gateway-access.log --port 9191

nginx has no per-status counters of its own; its access log has one JSON line per request
(nginx/templates/nginx.conf.template, log_format gateway). This follows the file and exposes

    sumapi_gateway_responses_total{route, status, source}

where source="gateway" for responses nginx produced itself (401, 429, its own 5xx: no
upstream status) and source="app" for responses the app gave. Lines that are not access
records are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Key = tuple[str, str, str]


class Responses:
    def __init__(self) -> None:
        self.counts: Counter[Key] = Counter()
        self.lock = threading.Lock()

    def add(self, line: str) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            return
        if not isinstance(record, dict) or record.get("message") != "access":
            return
        source = "app" if record.get("upstream_status") else "gateway"
        key = (str(record.get("route", "")), str(record.get("status", "")), source)
        with self.lock:
            self.counts[key] += 1

    def exposition(self) -> str:
        lines = [
            "# HELP sumapi_gateway_responses_total Responses of the gateway by route, status and "
            "who produced them (gateway: nginx itself; app: the upstream).",
            "# TYPE sumapi_gateway_responses_total counter",
        ]
        with self.lock:
            for (route, status, source), count in sorted(self.counts.items()):
                labels = f'route="{escape(route)}",status="{escape(status)}",source="{source}"'
                lines.append(f"sumapi_gateway_responses_total{{{labels}}} {count}")
        return "\n".join(lines) + "\n"


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def follow(path: Path, responses: Responses) -> None:
    """Reads every line appended to path, from its start, forever (a new file is waited for)."""
    while not path.exists():
        time.sleep(0.2)
    with path.open(encoding="utf-8", errors="replace") as log:
        pending = ""
        while True:
            chunk = log.readline()
            if not chunk:
                time.sleep(0.2)
                continue
            pending += chunk
            if pending.endswith("\n"):
                responses.add(pending)
                pending = ""


def serve(port: int, responses: Responses) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = (200, responses.exposition()) if self.path == "/metrics" else (404, "")
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return  # scrapes are not news

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localenv.gateway_exporter", description=__doc__
    )
    parser.add_argument("--log", type=Path, required=True, help="the gateway's access log file")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    responses = Responses()
    try:
        server = serve(args.port, responses)
    except OSError as error:
        print(
            f"gateway-exporter: cannot listen on 127.0.0.1:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1
    threading.Thread(target=follow, args=(args.log, responses), daemon=True).start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
