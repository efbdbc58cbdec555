"""The delivery workflows, read statically: what triggers a deploy, which role each step holds,
what CI never does (bootstrap the state bucket, write or read an API key), action pins.

The deploy job itself runs step by step in tests/containers (the rehearsal); these checks need
no emulator, so they run in `make test-iac-static`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.harness import ROOT
from tests.harness.workflow import evaluate

WORKFLOWS = ROOT / ".github" / "workflows"
CREDENTIALS = "aws-actions/configure-aws-credentials@"
PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v(\d+)\.(\d+)\.(\d+)$")
# The first majors on GitHub's current cache service (the earlier ones bundle the retired API).
MINIMUM_MAJOR = {"actions/setup-python": 6, "actions/setup-go": 6, "actions/cache": 4}


def workflow(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return loaded


def roles_by_step(job: dict[str, Any]) -> list[tuple[str, str]]:
    """(run command, role-to-assume of the last credentials step before it), in order."""
    role, steps = "", []
    for step in job["steps"]:
        if str(step.get("uses", "")).startswith(CREDENTIALS):
            role = step["with"]["role-to-assume"]
        elif "run" in step:
            steps.append((step["run"], role))
    return steps


def deploy_context(event: str, conclusion: str = "", trigger: str = "") -> dict[str, Any]:
    return {
        "github": {
            "event_name": event,
            "event": {"workflow_run": {"conclusion": conclusion, "event": trigger}},
        }
    }


@pytest.mark.parametrize(
    ("event", "conclusion", "trigger", "runs"),
    [
        ("workflow_run", "success", "push", True),
        ("workflow_run", "failure", "push", False),
        ("workflow_run", "cancelled", "push", False),
        ("workflow_run", "success", "pull_request", False),
        ("workflow_dispatch", "", "", True),
    ],
)
def test_deploy_runs_only_after_ci_passed_on_a_push_or_by_hand(
    event: str, conclusion: str, trigger: str, runs: bool
) -> None:
    deploy = workflow("deploy.yml")
    assert set(deploy[True]) == {"workflow_run", "workflow_dispatch"}  # yaml: `on` is True
    assert deploy[True]["workflow_run"] == {
        "workflows": [workflow("ci.yml")["name"]],
        "types": ["completed"],
        "branches": ["main"],
    }
    condition = deploy["jobs"]["deploy"]["if"]
    assert bool(evaluate(condition, deploy_context(event, conclusion, trigger))) is runs


def test_deploy_ships_the_commit_ci_tested() -> None:
    job = workflow("deploy.yml")["jobs"]["deploy"]
    assert "github.event.workflow_run.head_sha" in job["env"]["IMAGE_TAG"]
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "${{ env.DEPLOY_SHA }}"
    assert "github.event.workflow_run.head_sha" in job["env"]["DEPLOY_SHA"]


def test_images_are_pushed_with_the_push_role_and_applied_with_the_apply_role() -> None:
    steps = roles_by_step(workflow("deploy.yml")["jobs"]["deploy"])
    pushes = [role for run, role in steps if "push-images" in run]
    applies = [role for run, role in steps if "make deploy " in run]
    builds = [role for run, role in steps if "make images" in run]
    assert pushes == ["${{ vars.AWS_PUSH_ROLE_ARN }}"]
    assert applies
    assert set(applies) == {"${{ vars.AWS_DEPLOY_ROLE_ARN }}"}
    assert builds == [""], "images are built before the job holds any AWS credentials"


def test_the_pull_request_plan_uses_the_read_only_role_and_only_plans() -> None:
    job = workflow("ci.yml")["jobs"]["plan-dev"]
    assert "github.event_name == 'pull_request'" in job["if"]
    assert job["environment"] == "dev-plan"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    steps = roles_by_step(job)
    with_credentials = [(run, role) for run, role in steps if role]
    assert with_credentials == [("make plan ENV=dev", "${{ vars.AWS_PLAN_ROLE_ARN }}")]


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_ci_never_bootstraps_the_backend_nor_touches_api_keys(name: str) -> None:
    for job in workflow(name)["jobs"].values():
        for step in job["steps"]:
            run = step.get("run", "")
            for forbidden in ("backend-bootstrap", "backend bootstrap", "seed-key", "rotate-key"):
                assert forbidden not in run, (name, run)


def test_deploy_inputs_are_checked_before_use() -> None:
    steps = workflow("deploy.yml")["jobs"]["deploy"]["steps"]
    first = steps[0]
    assert first["name"] == "Check the inputs"
    assert set(first["env"]) == {"REQUESTED_ENV", "REQUESTED_MODULE", "REQUESTED_TAG"}
    assert "${{" not in first["run"], "inputs reach the shell through env only"
    for step in steps:
        assert "inputs." not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_actions_are_pinned_and_current(name: str) -> None:
    for line in (WORKFLOWS / name).read_text().splitlines():
        if "uses:" not in line:
            continue
        uses = line.split("uses:", 1)[1].strip()
        match = PIN.match(uses)
        assert match, f"{name}: {uses} is not pinned to a commit SHA with its tag in a comment"
        action = uses.split("@", 1)[0]
        assert int(match.group(1)) >= MINIMUM_MAJOR.get(action, 0), f"{name}: {uses} is too old"
