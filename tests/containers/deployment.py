"""The deployment the suite's tests find: .github/workflows/deploy.yml run job by job, step by
step, on the session's empty private emulator (the first deploy of this commit), each job in
its GitHub environment (`local`, `local-images`, as an operator sets them up)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from tests.harness import ROOT
from tests.harness.emulator import Deployment, Emulator
from tests.harness.workflow import JobResult, Rehearsal, github_environments

GIT_HEAD = subprocess.run(
    ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
).stdout.strip()


@dataclass(frozen=True)
class WorkflowDeploy:
    """Each job's result (its steps, environment, outputs and summary), in the order they ran."""

    jobs: dict[str, JobResult]


def rehearse_first_deploy(emulator: Emulator) -> WorkflowDeploy:
    rehearsal = Rehearsal(
        root=ROOT,
        work=emulator.scratch,
        inputs={"environment": "local", "module": "all", "image_tag": ""},
        sha=GIT_HEAD,
        base_env={**emulator.env, "EMULATOR_PORT": str(emulator.port)},
        # live/local/env.hcl is committed: ENV_HCL stays empty, as make env-hcl then keeps it.
        environments=github_environments("local"),
    )
    emulator.made = True  # the workflow's steps run make: stop what they start, at the end
    started = time.monotonic()
    jobs = rehearsal.run()
    seconds = time.monotonic() - started
    emulator.figures["deploy workflow rehearsal (first deploy)"] = f"{seconds:.1f} s"
    for job in jobs.values():
        if job.result == "success":
            emulator.figures[f"  job {job.id}"] = f"{job.seconds:.1f} s"
    return WorkflowDeploy(jobs)


Release = Deployment[WorkflowDeploy]
