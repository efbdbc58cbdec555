"""A Docker API where no Docker daemon runs: podman's, on a private socket (make test-compose).

    python -m localenv.docker_api --socket PATH    # serves until SIGTERM or Ctrl-C

It runs `podman system service` with the project's podman (localenv/podman: its settings and
its store under .tools/containers), so `docker compose` (DOCKER_HOST=unix://PATH) builds and
runs there, and adds two things a Docker daemon does that podman 4.3 without systemd does not:

- Health checks. podman schedules a container's HEALTHCHECK with systemd timers; with no
  systemd none runs, a container stays `starting` and `depends_on: condition: service_healthy`
  waits forever. This process runs each running container's own check every HEALTH_SECONDS
  (Docker: every `interval`), as the local ECS runner does for its tasks.
- The host's CA bundle in builds. Outbound TLS here passes a re-signing proxy, so pip in the
  Dockerfile needs the host's CA bundle; devtools/build-images mounts it into `podman build`,
  but a build through the Docker API takes no volume. The service's settings mount it,
  read-only, into every container it runs, builds included (the app and the gateway make no
  outbound call).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from localenv.daemon import ROOT

PODMAN = str(ROOT / "localenv" / "podman")
SETTINGS = ROOT / "localenv" / "containers.conf"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HEALTH_SECONDS = 2.0
STOP_SECONDS = 10.0


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=2)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.socket_path))


def answers(path: Path) -> bool:
    """True when a Docker API answers its ping on the unix socket at path."""
    connection = UnixHTTPConnection(path)
    try:
        connection.request("GET", "/_ping")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def settings(directory: Path) -> Path:
    """The project's podman settings, plus the host's CA bundle in every container."""
    text = SETTINGS.read_text()
    if CA_BUNDLE.exists():
        mount = f'volumes = ["{CA_BUNDLE}:{CA_BUNDLE}:ro"]'
        text = text.replace("[containers]\n", f"[containers]\n{mount}\n", 1)
    path = directory / "containers.conf"
    path.write_text(text)
    return path


def run_health_checks(env: dict[str, str]) -> None:
    """Runs the health check of every running container that has one (podman records it)."""
    listed = subprocess.run(
        [PODMAN, "ps", "--format", "{{.ID}} {{.Status}}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in listed.stdout.splitlines():
        container, _, status = line.partition(" ")
        if status.endswith(("(starting)", "(healthy)", "(unhealthy)")):
            subprocess.run(
                [PODMAN, "healthcheck", "run", container],
                env=env,
                capture_output=True,
                check=False,
            )


def serve(socket_path: Path) -> int:
    directory = socket_path.parent
    # The API is root's podman: no other user may reach the socket, nor replace it.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        print(
            f"docker-api: {directory} is open to other users: give the socket a private directory",
            file=sys.stderr,
        )
        return 2
    env = {**os.environ, "SUMAPI_CONTAINERS_CONF": str(settings(directory))}
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    service = subprocess.Popen(
        [PODMAN, "system", "service", "--time=0", f"unix://{socket_path}"], env=env
    )
    try:
        while not stop.wait(HEALTH_SECONDS):
            if service.poll() is not None:
                print(
                    f"docker-api: podman system service exited {service.returncode}",
                    file=sys.stderr,
                )
                return 1
            run_health_checks(env)
    finally:
        service.terminate()
        try:
            service.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait()
        socket_path.unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localenv.docker_api", description=__doc__)
    parser.add_argument("--socket", type=Path, required=True, help="the unix socket to serve on")
    args = parser.parse_args(argv)
    return serve(args.socket.resolve())


if __name__ == "__main__":
    sys.exit(main())
