"""The local OCI registry that stands in for ECR (Debian's docker-registry, distribution 2.8).

    python -m localenv.registry start [--port 5050]   # idempotent
    python -m localenv.registry stop  [--port 5050]

An ECR image `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` lives here as
`127.0.0.1:<port>/<repository>:<tag>`: `local_image_ref` is the one place that says so.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

from localenv.daemon import Daemon, DaemonError, run_dir

CONFIG = Path(__file__).resolve().parent / "registry.yml"
DEFAULT_PORT = int(os.environ.get("REGISTRY_PORT", "5050"))
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*)(?P<ref>(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|(@sha256:[0-9a-f]{64}))$"
)


def address(port: int) -> str:
    return f"127.0.0.1:{port}"


def local_image_ref(ecr_uri: str, registry: str) -> str:
    """Where the local registry keeps the ECR image ecr_uri."""
    match = ECR_IMAGE.match(ecr_uri)
    if match is None:
        raise ValueError(
            f"image {ecr_uri!r} is not an ECR image (<account>.dkr.ecr.<region>.amazonaws.com/"
            "<repository>:<tag>); the local registry only stands in for ECR"
        )
    return f"{registry}/{match['repository']}{match['ref']}"


def daemon(port: int) -> Daemon:
    return Daemon("registry", port, f"http://{address(port)}/v2/")


def start(port: int) -> str:
    if shutil.which("docker-registry") is None:
        raise DaemonError(
            "registry: docker-registry is missing; run 'make container-engine' (installs it)"
        )
    data = run_dir() / f"registry-{port}"
    data.mkdir(parents=True, exist_ok=True)
    return daemon(port).start(
        ["docker-registry", "serve", str(CONFIG)],
        env={
            "REGISTRY_HTTP_ADDR": address(port),
            "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY": str(data),
        },
    )


def stop(port: int) -> str:
    message = daemon(port).stop()
    # The registry stands in for ECR of one emulator run: its images go with it.
    shutil.rmtree(run_dir() / f"registry-{port}", ignore_errors=True)
    return message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localenv.registry", description=__doc__)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    try:
        print(start(args.port) if args.action == "start" else stop(args.port))
    except DaemonError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
