"""The deployment the suite's tests find: the deploy job of .github/workflows/deploy.yml run,
step by step, on the session's empty private emulator (the first deploy of this commit)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from tests.harness import ROOT
from tests.harness.emulator import Deployment, Emulator
from tests.harness.workflow import Rehearsal, StepResult

GIT_HEAD = subprocess.run(
    ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
).stdout.strip()


@dataclass(frozen=True)
class WorkflowDeploy:
    """Each step's result, and the job summary the steps wrote."""

    steps: list[StepResult]
    summary: str


def rehearse_first_deploy(emulator: Emulator) -> WorkflowDeploy:
    rehearsal = Rehearsal(
        root=ROOT,
        work=emulator.scratch,
        inputs={"environment": "local", "module": "all", "image_tag": ""},
        sha=GIT_HEAD,
        base_env={**emulator.env, "EMULATOR_PORT": str(emulator.port)},
    )
    emulator.made = True  # the workflow's steps run make: stop what they start, at the end
    started = time.monotonic()
    steps = rehearsal.run()
    seconds = time.monotonic() - started
    emulator.figures["deploy workflow rehearsal (first deploy)"] = f"{seconds:.1f} s"
    return WorkflowDeploy(steps, (emulator.scratch / "step_summary").read_text())


Release = Deployment[WorkflowDeploy]
