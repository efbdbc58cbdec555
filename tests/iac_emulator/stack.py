"""The stack of live/local as the suite's tests find it: every unit deployed from empty on the
session's private emulator (tests/harness/emulator.py), by the operator's first steps
(docs/runbook.md#first-deploy: the state bucket, the secrets unit, the first key) and `make
deploy`. No image is pushed: the local ECS agent's tasks fail to pull, as ECS's would."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from tests.harness.emulator import Deployment, Emulator


@dataclass(frozen=True)
class FirstDeploy:
    """What the steps found and printed (seed-key's and deploy's output), deploying every unit
    on an empty emulator."""

    buckets_before: list[str]
    result: subprocess.CompletedProcess[str]


def deploy_from_empty(emulator: Emulator) -> FirstDeploy:
    before = [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]]
    emulator.make("backend-bootstrap")
    emulator.make("deploy", "MODULE=secrets")
    seeded = emulator.make("seed-key")
    result = emulator.timed_make("apply, all units from empty (make deploy)", "deploy")
    result.stdout = seeded.stdout + result.stdout
    return FirstDeploy(before, result)


Stack = Deployment[FirstDeploy]
