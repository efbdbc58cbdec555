"""The local OCI registry standing in for ECR's registry (Debian's docker-registry, 2.8).

    python -m localenv.registry start [--port 5050] --emulator http://127.0.0.1:5000  # idempotent
    python -m localenv.registry stop  [--port 5050]

The emulator answers ECR's API (localenv/ecr_emulation.py): its repository URIs are
127.0.0.1:<port>/<repository>, and its GetAuthorizationToken hands out the one credential this
registry accepts (htpasswd, user AWS, written at start from the emulator's token). Every
manifest pushed here is reported to the emulator (the registry's notifications), so ECR's
DescribeImages lists it. Podman (localenv/podman) is told that this plain-HTTP address is a
registry without TLS by the registries.conf of the run directory (Docker allows it on
loopback by itself), and keeps its logins in the run directory's auth.json.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import sys
import warnings
from pathlib import Path

import boto3  # type: ignore[import-untyped]

from localenv.daemon import Daemon, DaemonError, run_dir

with warnings.catch_warnings():
    # bcrypt ($2b$, libxcrypt) is the only hash distribution's htpasswd accepts; the standard
    # library's crypt is deprecated (gone in 3.13), the image's and CI's Python is 3.11.
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt
DEFAULT_PORT = int(os.environ.get("REGISTRY_PORT", "5050"))


def address(port: int) -> str:
    return f"127.0.0.1:{port}"


def daemon(port: int) -> Daemon:
    return Daemon("registry", port, f"http://{address(port)}/v2/")


def ecr_password(emulator: str) -> str:
    """The password of the emulator's ECR token (what `aws ecr get-login-password` prints)."""
    ecr = boto3.client(
        "ecr",
        endpoint_url=emulator,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    return base64.b64decode(token).decode().partition(":")[2]


def config(port: int, data: Path, emulator: str) -> str:
    """The registry's configuration (JSON is YAML): address, storage, login, notifications."""
    settings = {
        "version": 0.1,
        "log": {"level": "warn"},
        "http": {"addr": address(port)},
        # delete: ECR's BatchDeleteImage empties a repository before a destroy.
        "storage": {"filesystem": {"rootdirectory": str(data)}, "delete": {"enabled": True}},
        "auth": {"htpasswd": {"realm": "ecr", "path": str(data / "htpasswd")}},
        "notifications": {
            "endpoints": [
                {
                    "name": "ecr",
                    "url": f"{emulator}/moto-api/localenv/ecr/events",
                    "timeout": "2s",
                    "threshold": 5,
                    "backoff": "1s",
                    "ignore": {"actions": ["pull"]},
                }
            ]
        },
    }
    return json.dumps(settings, indent=2) + "\n"


def write_podman_settings() -> None:
    """registries.conf of the run directory: every registry running there, without TLS."""
    locations = sorted(
        address(int(pid.stem.removeprefix("registry-")))
        for pid in run_dir().glob("registry-*.pid")
        if daemon(int(pid.stem.removeprefix("registry-"))).pid() is not None
    )
    entries = "".join(f'[[registry]]\nlocation = "{a}"\ninsecure = true\n\n' for a in locations)
    (run_dir() / "registries.conf").write_text(
        "# Written by localenv/registry.py: the local registries serve plain HTTP.\n" + entries
    )


def start(port: int, emulator: str) -> str:
    if shutil.which("docker-registry") is None:
        raise DaemonError(
            "registry: docker-registry is missing; run 'make container-engine' (installs it)"
        )
    data = run_dir() / f"registry-{port}"
    if daemon(port).pid() is None:
        data.mkdir(parents=True, exist_ok=True)
        salt = crypt.mksalt(crypt.METHOD_BLOWFISH)  # noqa: S324 (bcrypt is the strong one)
        (data / "htpasswd").write_text(f"AWS:{crypt.crypt(ecr_password(emulator), salt)}\n")
        (data / "config.yml").write_text(config(port, data, emulator))
    message = daemon(port).start(["docker-registry", "serve", str(data / "config.yml")])
    write_podman_settings()
    return message


def stop(port: int) -> str:
    message = daemon(port).stop()
    # The registry stands in for ECR of one emulator run: its images go with it.
    shutil.rmtree(run_dir() / f"registry-{port}", ignore_errors=True)
    if run_dir().is_dir():
        write_podman_settings()
    return message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localenv.registry", description=__doc__)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--emulator", default="http://127.0.0.1:5000", help="the AWS emulator")
    args = parser.parse_args(argv)
    try:
        print(start(args.port, args.emulator) if args.action == "start" else stop(args.port))
    except DaemonError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
