"""The stack of live/local as the suite's tests find it: every unit deployed from empty by
`make deploy` on the session's private emulator (tests/harness/emulator.py)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from tests.harness.emulator import Deployment, Emulator


@dataclass(frozen=True)
class FirstDeploy:
    """What `make deploy` found and printed, deploying every unit on an empty emulator."""

    buckets_before: list[str]
    result: subprocess.CompletedProcess[str]


def deploy_from_empty(emulator: Emulator) -> FirstDeploy:
    before = [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]]
    # ENV=local's deploy runs `make backend-bootstrap` first: the emulator starts empty.
    result = emulator.timed_make("apply, all units from empty (make deploy)", "deploy")
    return FirstDeploy(before, result)


Stack = Deployment[FirstDeploy]
