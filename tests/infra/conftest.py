"""A private AWS emulator and the make targets of the live tree, for tests/infra.

The stack is applied by the real make targets (`make deploy`, `make plan`, ...) against an
emulator this fixture starts on a free port and stops at the end, so the developer's own
emulator (port 5000) and .terragrunt-cache are never touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest

from localenv import emulator
from tests.support import ROOT, free_port

ENV = "local"
LIVE = ROOT / "live" / ENV
UNITS = sorted(p.parent.name for p in LIVE.glob("*/terragrunt.hcl"))
REGION = "us-east-1"
MAKE_TIMEOUT_SECONDS = 900

# Filled by the tests, printed in the terminal summary (the infra report's figures).
REPORT: dict[str, str] = {}


def _env_settings() -> dict[str, Any]:
    """The locals of live/local/env.hcl the tests need (plain `key = "value"` lines)."""
    settings: dict[str, Any] = {}
    for line in (LIVE / "env.hcl").read_text().splitlines():
        key, sep, value = line.partition("=")
        value = value.split("#")[0].strip()
        if sep and value.startswith('"') and value.endswith('"'):
            settings[key.strip()] = value.strip('"')
    return settings


SETTINGS = _env_settings()
NAME: str = SETTINGS["name"]
STATE_BUCKET: str = SETTINGS["state_bucket"]


def state_key(unit: str) -> str:
    return f"live/{ENV}/{unit}/terraform.tfstate"


@dataclass
class Infra:
    port: int
    scratch: Path
    endpoint: str
    env: dict[str, str]
    session: Any = field(repr=False)

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)

    def make(
        self, *args: str, extra_env: Mapping[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = ["make", "-C", str(ROOT), f"ENV={ENV}", f"EMULATOR_PORT={self.port}", *args]
        result = subprocess.run(
            command,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=MAKE_TIMEOUT_SECONDS,
            check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"{' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )
        return result

    def timed_make(self, label: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        start = time.monotonic()
        result = self.make(*args, **kwargs)
        REPORT[label] = f"{time.monotonic() - start:.1f} s"
        return result

    def state(self, unit: str) -> dict[str, Any]:
        body = self.client("s3").get_object(Bucket=STATE_BUCKET, Key=state_key(unit))["Body"]
        state: dict[str, Any] = json.loads(body.read())
        return state

    def outputs(self, unit: str) -> dict[str, Any]:
        return {k: v["value"] for k, v in self.state(unit).get("outputs", {}).items()}

    def state_heads(self) -> dict[str, tuple[str, str]]:
        """ETag and version of every state object, by unit."""
        s3 = self.client("s3")
        heads = {}
        for unit in UNITS:
            head = s3.head_object(Bucket=STATE_BUCKET, Key=state_key(unit))
            heads[unit] = (head["ETag"], head.get("VersionId", ""))
        return heads


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    for tool in ("TOFU", "TERRAGRUNT", "TOFURC"):
        if not Path(os.environ.get(tool, "/nonexistent")).exists():
            pytest.fail(f"{tool} is not set to a built tool: run through `make test-infra`")
    scratch = tmp_path_factory.mktemp("infra")
    port = free_port()
    # Without CI=: the operator's path, where a new key is shown once (test_stack checks CI's).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS", "CI"))}
    env.update(
        SUMAPI_RUN_DIR=str(scratch / "run"),  # the emulator's pid file and log
        TG_DOWNLOAD_DIR=str(scratch / "terragrunt-cache"),
        # ENV=local deploys run containers: a private registry and load balancer too.
        REGISTRY_PORT=str(free_port()),
        LB_PORT=str(free_port()),
    )
    os.environ["SUMAPI_RUN_DIR"] = env["SUMAPI_RUN_DIR"]
    assert emulator.start(emulator.DEFAULT_HOST, port) == 0, "the emulator did not start"
    endpoint = emulator.endpoint(emulator.DEFAULT_HOST, port)
    emulator_credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    session = boto3.session.Session(region_name=REGION, **emulator_credentials)
    infra = Infra(port, scratch, endpoint, env, session)
    try:
        yield infra
    finally:
        # ENV=local deploys run the tasks, a registry and a load balancer: none may outlive
        # the suite, whatever a failed test left behind.
        infra.make("local-tasks-stop", "registry-stop", check=False)
        emulator.stop(port)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if REPORT:
        terminalreporter.section("infrastructure cycle on the emulator")
        for label, value in REPORT.items():
            terminalreporter.write_line(f"{label:<44} {value}")
