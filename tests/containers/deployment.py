"""The deployment the suite's tests find: the first deploy of docs/runbook.md, on the session's
empty private emulator, with IAM judged.

1. An operator (an IAM user with administrator rights) runs the runbook's *First deploy*
   commands, read from docs/runbook.md itself, in its order (`<env>` = local).
2. The GitHub environments get what the runbook's GitHub step puts there: the roles' ARNs
   (github-oidc's outputs) and the smoke-test key the operator's `make rotate-key
   CLIENT=smoke` printed.
3. The pipeline's first run: .github/workflows/deploy.yml job by job, step by step, each job in
   its GitHub environment and under the role its token assumes (tests/harness/workflow.py,
   tests/harness/identities.py); then ci.yml's pull-request plan under the plan role.
4. Every call each job made (localenv/call_log.py) is judged against its role's policies and
   boundary (tests/harness/iam.py); the tests assert there is no denial.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.harness import ROOT
from tests.harness.emulator import REGION, Deployment, Emulator
from tests.harness.iam import Judgement, ResourcePolicies, judge, read_calls, role_policies
from tests.harness.identities import assume_with_web_identity, operator
from tests.harness.workflow import JobResult, Rehearsal, github_environments

GIT_HEAD = subprocess.run(
    ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
).stdout.strip()
RUNBOOK = ROOT / "docs" / "runbook.md"
REPOSITORY = "example-org/sumapi"  # live/local/env.hcl's github_repository
# Runbook commands that have nothing to do on the emulator, and why.
NOT_ON_THE_EMULATOR = {
    "cp live/<env>/env.hcl.example live/<env>/env.hcl": "live/local/env.hcl is committed",
}


def first_deploy_commands(runbook: Path = RUNBOOK) -> list[tuple[int, str]]:
    """(step, command) of every `sh` block of the runbook's First deploy section, in order."""
    text = runbook.read_text()
    start = text.index("\n## First deploy\n")
    end = text.index("\n## ", start + 1)
    step, inside, commands = 0, False, []
    for line in text[start:end].splitlines():
        stripped = line.strip()
        numbered = re.match(r"^(\d+)\. ", line)
        if numbered and not inside:
            step = int(numbered.group(1))
        if stripped.startswith("```"):
            inside = stripped == "```sh" if not inside else False
            continue
        if inside and stripped and not stripped.startswith("#"):
            commands.append((step, stripped))
    return commands


@dataclass
class OperatorStep:
    step: int
    command: str
    output: str = ""
    skipped: str = ""  # why it did not run on the emulator
    seconds: float = 0.0


@dataclass
class FirstDeploy:
    """The operator's steps, each job's result (in the order they ran) and the judgement."""

    operator: list[OperatorStep]
    jobs: dict[str, JobResult]
    plan: JobResult
    roles: dict[str, str]  # github-oidc output -> role ARN
    smoke_api_key: str
    judgement: Judgement
    operator_credentials: dict[str, str] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def sessions(self, job: JobResult) -> set[str]:
        return set(job.sessions)


def run_operator_steps(emulator: Emulator, credentials: dict[str, str]) -> list[OperatorStep]:
    steps: list[OperatorStep] = []
    env = {**emulator.env, **credentials, "EMULATOR_PORT": str(emulator.port)}
    for step, command in first_deploy_commands():
        done = OperatorStep(step, command)
        steps.append(done)
        if command in NOT_ON_THE_EMULATOR:
            done.skipped = NOT_ON_THE_EMULATOR[command]
            continue
        started = time.monotonic()
        result = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", command.replace("<env>", "local")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        done.seconds = time.monotonic() - started
        done.output = result.stdout + result.stderr
        if result.returncode != 0:
            raise AssertionError(
                f"runbook First deploy, step {step}: `{command}` failed ({result.returncode}):\n"
                f"{done.output[-6000:]}"
            )
    return steps


def smoke_key(steps: list[OperatorStep]) -> str:
    """The key `make rotate-key CLIENT=smoke` printed once (what goes in SMOKE_API_KEY)."""
    for done in steps:
        if "rotate-key" in done.command and "CLIENT=smoke" in done.command:
            match = re.search(r"^smoke:([A-Za-z0-9_-]{32,128})$", done.output, re.MULTILINE)
            assert match, f"`{done.command}` printed no smoke key:\n{done.output[-2000:]}"
            return match.group(1)
    raise AssertionError("the runbook's First deploy makes no smoke-test key")


def run_workflow(
    emulator: Emulator, first: FirstDeploy, **settings: Any
) -> tuple[dict[str, JobResult], Judgement]:
    """deploy.yml again (a later run: a new image, a rollback), judged like the first."""
    since = len(read_calls(emulator.call_log))
    jobs = rehearsal(emulator, first.roles, first.smoke_api_key, **settings).run()
    return jobs, judge_calls(emulator, first.roles, since)


def rehearsal(emulator: Emulator, roles: dict[str, str], key: str, **settings: Any) -> Rehearsal:
    return Rehearsal(
        root=ROOT,
        work=emulator.scratch,
        inputs=settings.pop("inputs", {"environment": "local", "module": "all", "image_tag": ""}),
        sha=settings.pop("sha", GIT_HEAD),
        base_env={**emulator.env, "EMULATOR_PORT": str(emulator.port)},
        # live/local/env.hcl is committed: ENV_HCL stays empty, as make env-hcl then keeps it.
        environments=github_environments("local", REGION, roles=roles, smoke_api_key=key),
        assume=lambda role, session, environment: assume_with_web_identity(
            emulator, REPOSITORY, role, session, environment
        ),
        repository_name=REPOSITORY,
        **settings,
    )


def plan_rehearsal(emulator: Emulator, roles: dict[str, str], key: str) -> Rehearsal:
    """ci.yml's pull-request plan job. It plans dev from dev-plan; here it plans local from
    local-plan (the environment live/local's plan role trusts): both rewrites are the only
    difference from what GitHub runs."""
    return rehearsal(
        emulator,
        roles,
        key,
        workflow_file=".github/workflows/ci.yml",
        event_name="pull_request",
        run_id="2",
        rewrite={"ENV=dev": "ENV=local"},
        environment_names={"dev-plan": "local-plan"},
        only=frozenset({"plan-dev"}),
    )


def run_plan_job(emulator: Emulator, roles: dict[str, str], key: str) -> JobResult:
    return plan_rehearsal(emulator, roles, key).run()["plan-dev"]


def judge_calls(emulator: Emulator, roles: dict[str, str], since: int) -> Judgement:
    iam = emulator.client("iam")
    return judge(
        read_calls(emulator.call_log),
        lambda role: role_policies(iam, role),
        roles=[roles[name] for name in ("role_arn", "push_role_arn", "plan_role_arn")],
        since=since,
        resource_policy_of=ResourcePolicies(emulator.client("kms"), emulator.client("s3")),
    )


def rehearse_first_deploy(emulator: Emulator) -> FirstDeploy:
    emulator.made = True  # make ran: stop what it started, at the end
    first_call = len(read_calls(emulator.call_log))  # an earlier deploy's calls come before
    started = time.monotonic()
    operator_credentials = operator(emulator)
    steps = run_operator_steps(emulator, operator_credentials)
    emulator.figures["runbook First deploy, operator's steps"] = (
        f"{time.monotonic() - started:.1f} s"
    )
    roles = {k: str(v) for k, v in emulator.outputs("github-oidc").items() if "role_arn" in k}
    key = smoke_key(steps)
    started = time.monotonic()
    jobs = rehearsal(emulator, roles, key).run()
    emulator.figures["deploy workflow rehearsal (first run, roles)"] = (
        f"{time.monotonic() - started:.1f} s"
    )
    for job in jobs.values():
        if job.result == "success":
            emulator.figures[f"  job {job.id}"] = f"{job.seconds:.1f} s"
    started = time.monotonic()
    plan = run_plan_job(emulator, roles, key)
    emulator.figures["  ci.yml plan-dev (plan role)"] = f"{time.monotonic() - started:.1f} s"
    started = time.monotonic()
    judgement = judge_calls(emulator, roles, since=first_call)
    emulator.figures["IAM judge (first deploy)"] = (
        f"{time.monotonic() - started:.1f} s, {judgement.calls} calls, "
        f"{judgement.requests} authorisations"
    )
    return FirstDeploy(
        steps, jobs, plan, roles, key, judgement, operator_credentials=operator_credentials
    )


def denials(judgement: Judgement) -> Iterator[str]:
    for denial in judgement.denials:
        yield str(denial)


Release = Deployment[FirstDeploy]
