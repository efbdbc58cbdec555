"""A private AWS emulator on a free port, and the make targets of the live tree pointed at it.

The stack is applied by the real make targets (`make deploy`, `make plan`, ...) against an
emulator started on a free port with its own run directory and Terragrunt cache, so the
developer's own emulator (port 5000) and .terragrunt-cache are never touched. It is started and
stopped by localenv.emulator, the code `make emulator` runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any, Generic, TypeVar

import boto3  # type: ignore[import-untyped]
import pytest

from localenv import emulator as emulator_tool
from localenv.call_log import ENV_VARIABLE as CALL_LOG_VARIABLE
from tests.harness import ROOT
from tests.harness.loopback import HOST, free_port

ENV = "local"
LIVE = ROOT / "live" / ENV
UNITS = sorted(p.parent.name for p in LIVE.glob("*/terragrunt.hcl"))
REGION = "us-east-1"
MAKE_TIMEOUT_SECONDS = 900
TOOLS = ("TOFU", "TERRAGRUNT", "TOFURC")  # set by the make targets that run these suites


def _env_settings() -> dict[str, str]:
    """The locals of live/local/env.hcl the tests need (plain `key = "value"` lines)."""
    settings: dict[str, str] = {}
    for line in (LIVE / "env.hcl").read_text().splitlines():
        key, sep, value = line.partition("=")
        value = value.split("#")[0].strip()
        if sep and value.startswith('"') and value.endswith('"'):
            settings[key.strip()] = value.strip('"')
    return settings


SETTINGS = _env_settings()
NAME = SETTINGS["name"]
STATE_BUCKET = SETTINGS["state_bucket"]


def state_key(unit: str) -> str:
    return f"live/{ENV}/{unit}/terraform.tfstate"


@dataclass
class Emulator:
    """One private emulator; `make` runs the repository's targets against it."""

    port: int
    scratch: Path
    env: dict[str, str]  # of every make run (and of the emulator itself)
    figures: dict[str, str]  # timings and counts the run reports at the end
    session: Any = field(repr=False)
    deployment: Deployment[Any] | None = None  # what is deployed on it now
    made: bool = False  # make ran: it may have started tasks, a registry, a load balancer

    @property
    def endpoint(self) -> str:
        return emulator_tool.endpoint(HOST, self.port)

    @property
    def call_log(self) -> Path:
        """Every request the emulator served, and who signed it (localenv/call_log.py)."""
        return Path(self.env[CALL_LOG_VARIABLE])

    def _run(self, argv: list[str], extra_env: Mapping[str, str]) -> CompletedProcess[str]:
        return subprocess.run(
            argv,
            cwd=ROOT,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=MAKE_TIMEOUT_SECONDS,
            check=False,
        )

    def _tool(self, action: str) -> None:
        argv = [sys.executable, "-m", "localenv.emulator", action, "--port", str(self.port)]
        done = self._run(argv, {})
        assert done.returncode == 0, f"emulator {action} failed:\n{done.stdout}{done.stderr}"

    def start(self) -> None:
        self._tool("start")

    def stop(self) -> None:
        """Stops the emulator and whatever make started next to it (tasks, load balancer,
        registry), whatever state a failed test left behind."""
        if self.made:
            self.make("local-tasks-stop", "registry-stop", check=False)
        self._tool("stop")
        self.deployment = None

    def reset(self) -> None:
        """An empty emulator again on the same port: moto keeps everything in memory."""
        self.stop()
        self.start()

    def is_empty(self) -> bool:
        """Running, and nothing was ever deployed on it (no bucket, not even the state's)."""
        if not emulator_tool.answers(HOST, self.port):
            return False
        return not self.client("s3").list_buckets()["Buckets"]

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint)

    def make(
        self, *args: str, extra_env: Mapping[str, str] | None = None, check: bool = True
    ) -> CompletedProcess[str]:
        missing = [tool for tool in TOOLS if not Path(os.environ.get(tool, "/none")).exists()]
        if missing:
            pytest.fail(f"{', '.join(missing)} not set to built tools: run through make")
        self.made = True
        command = ["make", "-C", str(ROOT), f"ENV={ENV}", f"EMULATOR_PORT={self.port}", *args]
        result = self._run(command, extra_env or {})
        if check and result.returncode != 0:
            pytest.fail(
                f"{' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )
        return result

    def timed_make(self, label: str, *args: str, **kwargs: Any) -> CompletedProcess[str]:
        start = time.monotonic()
        result = self.make(*args, **kwargs)
        self.figures[label] = f"{time.monotonic() - start:.1f} s"
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


@contextmanager
def private_emulator(scratch: Path, figures: dict[str, str] | None = None) -> Iterator[Emulator]:
    """A started, empty Emulator on a free port; stopped (with all make started) on exit."""
    # make needs the caller's tool chain (TOFU, podman's HOME, ...); CI= off: the operator's
    # path, where a new key is shown once (the tests set CI themselves where they mean it).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS", "CI"))}
    env.update(
        SUMAPI_RUN_DIR=str(scratch / "run"),  # the emulator's pid file and log
        TG_DOWNLOAD_DIR=str(scratch / "terragrunt-cache"),
        # ENV=local deploys run containers: a private registry and load balancer too.
        REGISTRY_PORT=str(free_port()),
        LB_PORT=str(free_port()),
        # What the IAM judge reads (tests/harness/iam.py); a restart appends to the same file.
        **{CALL_LOG_VARIABLE: str(scratch / "calls.jsonl")},
    )
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    session = boto3.session.Session(region_name=REGION, **credentials)
    emulator = Emulator(free_port(), scratch, env, {} if figures is None else figures, session)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


T = TypeVar("T")


class Deployment(Generic[T]):
    """What a suite deploys on its emulator, deployed when a test first needs it.

    Tests get it from ensure(), never from the test before them, so any order works: in file
    order the deploy runs once. A test that takes it down calls gone(); the next test that needs
    it gets a new deploy on an emptied emulator, so every deploy is one from empty. A test that
    changes it restores it before it ends; changing() marks it gone when a test fails half-way.
    """

    def __init__(self, emulator: Emulator, deploy: Callable[[Emulator], T]) -> None:
        self.emulator = emulator
        self._deploy = deploy
        self._deployed: T | None = None
        self._failed: str | None = None

    def ensure(self) -> T:
        if self._failed is not None:
            pytest.fail(f"the deploy failed earlier in this run: {self._failed}")
        if self.emulator.deployment is not self or self._deployed is None:
            if not self.emulator.is_empty():
                self.emulator.reset()
            try:
                self._deployed = self._deploy(self.emulator)
            except BaseException as error:
                self._failed = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise
            self.emulator.deployment = self
        return self._deployed

    def gone(self) -> None:
        self._deployed = None
        if self.emulator.deployment is self:
            self.emulator.deployment = None

    @contextmanager
    def changing(self) -> Iterator[T]:
        """The deployment, for a test that changes it: a failure inside marks it gone."""
        deployed = self.ensure()
        try:
            yield deployed
        except BaseException:
            self.gone()
            raise
