"""Runs the deploy job of .github/workflows/deploy.yml itself, step by step, against ENV=local.

The file is read, not copied: its `run:` steps execute in order with the job's and the steps'
environment, its `if:` conditions are evaluated, `$GITHUB_OUTPUT`/`$GITHUB_STEP_SUMMARY` are
real files. Only the steps that set up a GitHub runner (checkout, toolchains, caches) are
skipped -- this machine has them -- and the AWS-credential action is the one step replaced:
ENV=local's make targets point every AWS call at the emulator. Each replaced step records the
role it would assume (its `role-to-assume` expression), and every later step's result carries
it, so a test can say which role each step ran with. The job's own `if:` is evaluated too. An
expression or an action the rehearsal does not know fails it, so the workflow cannot drift past
what is tested.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

WORKFLOW = ".github/workflows/deploy.yml"
RUNNER_SETUP_ACTIONS = (
    "actions/checkout@",
    "actions/setup-python@",
    "actions/setup-go@",
    "actions/cache@",
)
REPLACED_ACTIONS = ("aws-actions/configure-aws-credentials@",)
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
TOKEN = re.compile(
    r"\s*(?:(\|\||&&|==|!=|\(|\)|!)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_.-]*(?:\(\))?))"
)


class RehearsalError(AssertionError):
    pass


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """GitHub's expression subset the workflow uses: || && == != ! ( ), 'strings', dotted names.

    `a || b` and `a && b` return an operand, as in GitHub (and Python's or/and); '' is falsy.
    """
    python: list[str] = []
    values: list[Any] = []
    position = 0
    while position < len(expression):
        match = TOKEN.match(expression, position)
        if match is None or match.end() == position:
            raise RehearsalError(f"cannot parse {expression!r} at {position}")
        operator, string, name = match.groups()
        if operator:
            python.append(
                {"||": " or ", "&&": " and ", "!": " not "}.get(operator, f" {operator} ")
            )
        elif string is not None:
            values.append(string.replace("''", "'"))
            python.append(f"_v[{len(values) - 1}]")
        else:
            values.append(lookup(name, context))
            python.append(f"_v[{len(values) - 1}]")
        position = match.end()
    return eval("".join(python), {"__builtins__": {}}, {"_v": values})  # noqa: S307 - built above


def lookup(name: str, context: Mapping[str, Any]) -> Any:
    if name in ("always()", "success()"):
        return True
    if name in ("true", "false"):
        return name == "true"
    value: Any = context
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise RehearsalError(f"the rehearsal has no value for {name}")
        value = value[part]
    return value


def render(value: Any) -> str:
    """How GitHub writes an expression's value into text: booleans in lower case."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def substitute(text: str, context: Mapping[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: render(evaluate(m.group(1), context)), text)


@dataclass
class StepResult:
    name: str
    outcome: str  # passed | skipped (if:) | runner setup | replaced
    seconds: float = 0.0
    output: str = ""
    role: str = ""  # the role-to-assume expression of the last replaced credentials step


@dataclass
class Rehearsal:
    root: Path
    work: Path
    inputs: dict[str, str]
    sha: str
    base_env: dict[str, str]
    event_name: str = "workflow_dispatch"
    results: list[StepResult] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        """What GitHub would offer the job's expressions (empty strings where it has null)."""
        workflow_run = {"conclusion": "", "event": "", "head_sha": ""}
        if self.event_name == "workflow_run":
            workflow_run = {"conclusion": "success", "event": "push", "head_sha": self.sha}
        return {
            "inputs": self.inputs,
            "github": {
                "sha": self.sha,
                "event_name": self.event_name,
                "event": {"workflow_run": workflow_run},
                "workspace": str(self.work),
                "run_id": "1",
                "run_attempt": "1",
            },
            "vars": {
                "ENV_HCL": "",
                "AWS_DEPLOY_ROLE_ARN": "",
                "AWS_PUSH_ROLE_ARN": "",
                "AWS_REGION": "",
            },
            "secrets": {"SMOKE_API_KEY": ""},
            "steps": {},
            "runner": {"os": "Linux"},
        }

    def job_runs(self, job_name: str = "deploy") -> bool:
        job = yaml.safe_load((self.root / WORKFLOW).read_text())["jobs"][job_name]
        condition = job.get("if")
        if condition is None:
            return True
        expression = str(condition).strip().removeprefix("${{").removesuffix("}}")
        return bool(evaluate(expression, self.context()))

    def run(self, job_name: str = "deploy") -> list[StepResult]:
        workflow = yaml.safe_load((self.root / WORKFLOW).read_text())
        job = workflow["jobs"][job_name]
        if not self.job_runs(job_name):
            raise RehearsalError(f"job {job_name} would not run for {self.event_name}")
        output_file, summary_file = self.work / "github_output", self.work / "step_summary"
        output_file.write_text("")
        summary_file.write_text("")
        context = self.context()
        role = ""
        job_env = {k: str(substitute(str(v), context)) for k, v in job.get("env", {}).items()}
        context["env"] = job_env
        for index, step in enumerate(job["steps"]):
            name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
            condition = step.get("if")
            if condition is not None and not evaluate(
                str(condition).removeprefix("${{").removesuffix("}}"), context
            ):
                self.results.append(StepResult(name, "skipped (if:)"))
                continue
            if "uses" in step:
                action = step["uses"]
                if action.startswith(RUNNER_SETUP_ACTIONS):
                    self.results.append(StepResult(name, "runner setup"))
                elif action.startswith(REPLACED_ACTIONS):
                    role = str(step.get("with", {}).get("role-to-assume", ""))
                    self.results.append(StepResult(name, "replaced", role=role))
                else:
                    raise RehearsalError(
                        f"step {index} uses {action}, which the rehearsal does not know"
                    )
                continue
            step_env = {k: str(substitute(str(v), context)) for k, v in step.get("env", {}).items()}
            env = {
                **self.base_env,
                **job_env,
                **step_env,
                "CI": "true",
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary_file),
            }
            started = time.monotonic()
            # GitHub's default shell for run steps on Linux.
            done = subprocess.run(
                [
                    "bash",
                    "--noprofile",
                    "--norc",
                    "-eo",
                    "pipefail",
                    "-c",
                    substitute(step["run"], context),
                ],
                cwd=self.root,
                env=env,
                capture_output=True,
                text=True,
                timeout=1200,
                check=False,
            )
            result = StepResult(
                name, "passed", time.monotonic() - started, done.stdout + done.stderr, role
            )
            self.results.append(result)
            if done.returncode != 0:
                raise AssertionError(
                    f"step {name!r} failed ({done.returncode}):\n{result.output[-6000:]}"
                )
            if "id" in step:
                outputs = dict(
                    line.split("=", 1)
                    for line in output_file.read_text().splitlines()
                    if "=" in line
                )
                context["steps"][step["id"]] = {"outputs": outputs}
        return self.results
