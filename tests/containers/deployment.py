"""The deployment the suite's tests find: the operator's one-time steps of docs/runbook.md's
*First deploy* (the state bucket, the secrets unit, the first key and the smoke-test client's
key, which CI never writes), then .github/workflows/deploy.yml run job by job, step by step, on
the session's private emulator (the first deploy of this commit), each job in its GitHub
environment (`local`, `local-images`, as an operator sets them up)."""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, replace

from tests.harness import ROOT
from tests.harness.emulator import Deployment, Emulator
from tests.harness.workflow import JobResult, Rehearsal, github_environments

GIT_HEAD = subprocess.run(
    ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
).stdout.strip()


@dataclass(frozen=True)
class WorkflowDeploy:
    """Each job's result (its steps, environment, outputs and summary), in the order they ran,
    and the smoke-test client's key the operator put in the `local` GitHub environment."""

    jobs: dict[str, JobResult]
    smoke_key: str


def operator_first_steps(emulator: Emulator) -> str:
    """docs/runbook.md#first-deploy, steps 2 and 5: returns the smoke-test client's key."""
    started = time.monotonic()
    emulator.make("backend-bootstrap")
    emulator.make("deploy", "MODULE=secrets")
    emulator.make("seed-key")
    added = emulator.make("rotate-key", "CLIENT=smoke").stdout
    match = re.search(r"^smoke:(\S+)$", added, re.MULTILINE)
    assert match, added
    emulator.figures["operator's first steps (bucket, secrets, keys)"] = (
        f"{time.monotonic() - started:.1f} s"
    )
    return match.group(1)


def rehearse_first_deploy(emulator: Emulator) -> WorkflowDeploy:
    emulator.made = True  # the steps run make: stop what they start, at the end
    smoke_key = operator_first_steps(emulator)
    environments = github_environments("local")
    environments["local"] = replace(environments["local"], secrets={"SMOKE_API_KEY": smoke_key})
    rehearsal = Rehearsal(
        root=ROOT,
        work=emulator.scratch,
        inputs={"environment": "local", "module": "all", "image_tag": ""},
        sha=GIT_HEAD,
        base_env={**emulator.env, "EMULATOR_PORT": str(emulator.port)},
        # live/local/env.hcl is committed: ENV_HCL stays empty, as make env-hcl then keeps it.
        environments=environments,
    )
    started = time.monotonic()
    jobs = rehearsal.run()
    seconds = time.monotonic() - started
    emulator.figures["deploy workflow rehearsal (first deploy)"] = f"{seconds:.1f} s"
    for job in jobs.values():
        if job.result == "success":
            emulator.figures[f"  job {job.id}"] = f"{job.seconds:.1f} s"
    return WorkflowDeploy(jobs, smoke_key)


Release = Deployment[WorkflowDeploy]
