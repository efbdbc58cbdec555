"""GitHub CI runs what `make test` runs: every target of TEST_TARGETS in some job of ci.yml.

ci.yml splits make test into parallel jobs by hand; a target added to make test (every mk/*.mk
file adds its own) and forgotten there would pass locally and never run in CI.
"""

from __future__ import annotations

import shlex
from typing import Any

import yaml  # type: ignore[import-untyped]

from tests.harness import ROOT
from tests.iac_static.tooling import make

CI_WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def make_test_targets() -> set[str]:
    result = make("-s", "--eval=print-targets: ; @echo $(TEST_TARGETS)", "print-targets")
    assert result.returncode == 0, result.stderr
    targets = set(result.stdout.split())
    assert {"test-unit", "test-infra"} <= targets, targets
    return targets


def targets_run_by(workflow: dict[str, Any]) -> dict[str, set[str]]:
    """Job name -> the make targets its `run:` steps name (make's own NAME=value arguments and
    flags are not targets)."""
    run: dict[str, set[str]] = {}
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                words = shlex.split(line)
                if words[:1] == ["make"]:
                    run.setdefault(name, set()).update(
                        w for w in words[1:] if "=" not in w and not w.startswith("-")
                    )
    return run


def test_every_make_test_target_runs_in_a_ci_job() -> None:
    by_job = targets_run_by(yaml.safe_load(CI_WORKFLOW.read_text()))
    in_ci = set().union(*by_job.values())
    assert make_test_targets() - in_ci == set(), f"make test runs these, ci.yml does not: {by_job}"


def test_the_reader_sees_the_targets_of_multi_target_and_argument_lines() -> None:
    workflow = {
        "jobs": {
            "a": {"steps": [{"run": 'make lint typecheck ENV=dev\nmake -s plan IMAGE_TAG="$X"'}]},
            "b": {"steps": [{"uses": "actions/checkout@v4"}, {"run": "echo make"}]},
        }
    }
    assert targets_run_by(workflow) == {"a": {"lint", "typecheck", "plan"}}
