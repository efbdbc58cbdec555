"""Runs .github/workflows/deploy.yml itself, job by job and step by step, against ENV=local.

The file is read, not copied. Its jobs run in `needs` order; each job's `if:` is evaluated with
the `needs` context (results and declared outputs of the jobs it needs), so a job runs, or is
skipped, as on GitHub. Each job runs in its GitHub environment: `vars` and `secrets` are that
environment's (GitHubEnvironment), and naming a variable the environment does not hold fails
the rehearsal, where GitHub would give an empty string. Steps run in order with the workflow's,
the job's and the step's environment; their `if:` is evaluated (status functions included,
`success()` implied as on GitHub); `$GITHUB_OUTPUT` is a fresh file per step, read into
`steps.<id>.outputs`, and the job's `outputs:` are evaluated from them; `$GITHUB_STEP_SUMMARY`
is a real file per job.

Only the steps that set up a GitHub runner (checkout, toolchains, caches) are skipped -- this
machine has them -- and the AWS-credential action is the one step replaced: ENV=local's make
targets point every AWS call at the emulator. Each replaced step records the role variable it
was given (its `role-to-assume` expression), and every later step of the job carries it. With
`assume` given, the replaced step does what the action does, against the emulator: it asks STS
for the role with a web identity token whose subject is the job's GitHub environment
(AssumeRoleWithWebIdentity, unsigned, as the action does), and the job's later steps run with
those credentials (EMULATOR_* variables, which ENV=local's make targets use: mk/deploy.mk), so
every call they make is the role's, and can be judged as such (tests/harness/iam.py). The
artifact actions keep files between the jobs of a run, as GitHub does: an upload copies its
`path` into the run's store under its `name` (no file: the step fails, for if-no-files-found:
error), a download copies that artifact to its `path` (none of that name: the step fails); each
job's `runner.temp` is a fresh directory, so what a job reads there came through the store. An
expression, a function or an action the rehearsal does not know fails it, so the workflow
cannot drift past what is tested.

The runner is a self-hosted one by default (`runner.environment`), as this machine is: the steps
for GitHub's own runners (release binaries from GitHub, the SBOM) are skipped by their `if:`,
and tofu and terragrunt are the Go builds; tests/iac_static/test_release_binaries.py runs those
make targets against releases served from loopback.

Another workflow's job (ci.yml's pull-request plan, which plans dev) runs the same way, with
`rewrite` pointing its commands at ENV=local (said where it is used).

Not modelled: jobs run one after the other in this checkout, so a file one job leaves in it (an
image, a .terragrunt-cache) is there for the next, where each GitHub job starts on a fresh
runner (runner.temp excepted, above); GitHub's loose `==` (case, type coercion) is Python's
strict one.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
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
CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials@"
UPLOAD_ARTIFACT = "actions/upload-artifact@"
DOWNLOAD_ARTIFACT = "actions/download-artifact@"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
TOKEN = re.compile(r"\s*(?:(\|\||&&|==|!=|\(|\)|!|,)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_.-]*))")
STATUS_FUNCTIONS = ("success", "failure", "cancelled", "always")
STATUS_CALL = re.compile(rf"\b(?:{'|'.join(STATUS_FUNCTIONS)})\s*\(")
# github.sha of a workflow_run event: main's head when CI finished, which may have moved on
# from the commit CI tested. A checkout of it would deploy an untested commit.
MAIN_MOVED_ON = "e" * 40


class RehearsalError(AssertionError):
    pass


@dataclass(frozen=True)
class GitHubEnvironment:
    """What a GitHub environment holds (Settings -> Environments): its variables and secrets."""

    variables: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)


def github_environments(
    env: str,
    region: str = "",
    env_hcl: str = "",
    roles: Mapping[str, str] | None = None,
    smoke_api_key: str = "",
) -> dict[str, GitHubEnvironment]:
    """The GitHub environments the workflows run in for `env`, holding what
    docs/runbook.md#first-deploy has an operator put in them: `<env>` the apply role's
    variable, the region, ENV_HCL and the smoke-test key; `<env>-images` the push role's only;
    `<env>-plan` the plan role's, the region and ENV_HCL. A role variable holds the role's ARN
    from `roles` (github-oidc output name -> value), or without it the output's name, so a
    test can look the role up once the unit is applied."""
    arn = dict(roles or {})
    return {
        env: GitHubEnvironment(
            variables={
                "AWS_DEPLOY_ROLE_ARN": arn.get("role_arn", "role_arn"),
                "AWS_REGION": region,
                "ENV_HCL": env_hcl,
            },
            secrets={"SMOKE_API_KEY": smoke_api_key},
        ),
        f"{env}-images": GitHubEnvironment(
            variables={"AWS_PUSH_ROLE_ARN": arn.get("push_role_arn", "push_role_arn")}
        ),
        f"{env}-plan": GitHubEnvironment(
            variables={
                "AWS_PLAN_ROLE_ARN": arn.get("plan_role_arn", "plan_role_arn"),
                "AWS_REGION": region,
                "ENV_HCL": env_hcl,
            }
        ),
    }


def evaluate(
    expression: str,
    context: Mapping[str, Any],
    functions: Mapping[str, Callable[..., Any]] | None = None,
) -> Any:
    """GitHub's expression subset the workflow uses: || && == != ! ( ), 'strings', dotted names,
    function calls (status functions, hashFiles).

    `a || b` and `a && b` return an operand, as in GitHub (and Python's or/and); '' is falsy.
    Without `functions`, the status functions answer as in a job where all went well.
    """
    known: dict[str, Callable[..., Any]] = {
        "success": lambda: True,
        "failure": lambda: False,
        "cancelled": lambda: False,
        "always": lambda: True,
        **(functions or {}),
    }
    python: list[str] = []
    values: list[Any] = []
    position = 0
    while position < len(expression):
        match = TOKEN.match(expression, position)
        if match is None or match.end() == position:
            if expression[position:].strip() == "":
                break
            raise RehearsalError(f"cannot parse {expression!r} at {position}")
        operator, string, name = match.groups()
        if operator:
            python.append(
                {"||": " or ", "&&": " and ", "!": " not "}.get(operator, f" {operator} ")
            )
        elif string is not None:
            values.append(string.replace("''", "'"))
            python.append(f"_v[{len(values) - 1}]")
        elif expression[match.end() :].lstrip().startswith("("):
            if name not in known:
                raise RehearsalError(f"the rehearsal does not know the function {name}()")
            values.append(known[name])
            python.append(f"_v[{len(values) - 1}]")
        else:
            values.append(lookup(name, context))
            python.append(f"_v[{len(values) - 1}]")
        position = match.end()
    return eval("".join(python), {"__builtins__": {}}, {"_v": values})  # noqa: S307 - built above


def lookup(name: str, context: Mapping[str, Any]) -> Any:
    if name in ("true", "false"):
        return name == "true"
    value: Any = context
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise RehearsalError(f"the rehearsal has no value for {name}")
        value = value[part]
    return value


def condition(text: Any) -> str:
    """An `if:` as an expression: the ${{ }} is optional, and without a status function
    GitHub evaluates `success() && (...)`."""
    expression = str(text).strip()
    if expression.startswith("${{") and expression.endswith("}}"):
        expression = expression[3:-2].strip()
    return expression if STATUS_CALL.search(expression) else f"success() && ({expression})"


def render(value: Any) -> str:
    """How GitHub writes an expression's value into text: booleans in lower case."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def substitute(text: str, context: Mapping[str, Any], functions: Mapping[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: render(evaluate(m.group(1), context, functions)), text)


def read_outputs(path: Path) -> dict[str, str]:
    """`name=value` and `name<<DELIMITER ... DELIMITER` lines, as GitHub reads $GITHUB_OUTPUT."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            for item in lines:
                if item == delimiter:
                    break
                body.append(item)
            else:
                raise RehearsalError(f"$GITHUB_OUTPUT: {name} has no closing {delimiter}")
            outputs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        elif line.strip():
            raise RehearsalError(f"$GITHUB_OUTPUT: a line GitHub would refuse: {line!r}")
    return outputs


# What the credentials step stands in for hands a job: its role's temporary credentials.
Assume = Callable[[str, str, str], Mapping[str, str]]  # (role ARN, session name, environment)


@dataclass
class StepResult:
    name: str
    # passed | failed | skipped (if:) | runner setup | replaced | artifact kept | artifact
    # fetched | not run (stub)
    outcome: str
    seconds: float = 0.0
    output: str = ""
    role: str = ""  # the role-to-assume expression of the job's last credentials step
    inputs: dict[str, str] = field(default_factory=dict)  # an action's `with:`, evaluated
    command: str = ""  # a run step's script, expressions substituted


@dataclass
class JobResult:
    id: str
    name: str = ""
    result: str = "skipped"  # success | failure | skipped, as needs.<job>.result
    environment: str = ""  # the GitHub environment it ran in; "" for none
    id_token: bool = False  # permissions: id-token: write (any step can mint the OIDC token)
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    url: str = ""  # environment.url, evaluated once the job is done
    summary: str = ""  # what its steps wrote to $GITHUB_STEP_SUMMARY
    seconds: float = 0.0
    stubbed: bool = False  # run(stub=...): its result was given, its commands did not run
    sessions: list[str] = field(default_factory=list)  # role sessions it assumed (with `assume`)

    def ran(self, fragment: str) -> list[StepResult]:
        """The run steps of this job that executed a command containing `fragment`."""
        return [
            s for s in self.steps if s.outcome in ("passed", "failed") and fragment in s.command
        ]


def job_order(jobs: Mapping[str, Any]) -> list[str]:
    """The jobs, each after the jobs it needs; otherwise in file order."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(job: str) -> None:
        if job in order:
            return
        if job in visiting:
            raise RehearsalError(f"jobs.{job}.needs is a cycle")
        if job not in jobs:
            raise RehearsalError(f"a job needs {job}, which the workflow does not have")
        visiting.add(job)
        for needed in needs_of(jobs[job]):
            visit(needed)
        visiting.discard(job)
        order.append(job)

    for job in jobs:
        visit(job)
    return order


def needs_of(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def can_mint_id_token(job: Mapping[str, Any], workflow: Mapping[str, Any]) -> bool:
    permissions = job.get("permissions", workflow.get("permissions", {}))
    if isinstance(permissions, str):
        return permissions == "write-all"
    return bool(permissions.get("id-token") == "write")


@dataclass
class Rehearsal:
    root: Path
    work: Path
    inputs: dict[str, str]
    sha: str
    base_env: dict[str, str]
    environments: Mapping[str, GitHubEnvironment] = field(default_factory=dict)
    repository: GitHubEnvironment = field(default_factory=GitHubEnvironment)
    event_name: str = "workflow_dispatch"
    conclusion: str = "success"  # of the CI run, for event_name workflow_run
    trigger: str = "push"  # the event of that CI run
    runner_environment: str = "self-hosted"  # runner.environment: or github-hosted
    jobs: dict[str, JobResult] = field(default_factory=dict)
    workflow_file: str = WORKFLOW
    assume: Assume | None = None  # None: the credentials step is only recorded
    run_id: str = "1"  # github.run_id: role session names carry it
    repository_name: str = "example-org/sumapi"  # github.repository
    rewrite: Mapping[str, str] = field(default_factory=dict)  # in run: commands, text -> text
    environment_names: Mapping[str, str] = field(default_factory=dict)  # a job's, name -> name
    # Only these jobs are run (None: all); the others are not read and count as succeeded for
    # the needs of the ones run (another workflow's job rehearsed alone, e.g. ci.yml's plan).
    only: frozenset[str] | None = None
    # What a stubbed job's declared outputs hold (otherwise ''), by job: a static test's stand-in
    # for an output a job's make target would print.
    stub_outputs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def workflow(self) -> dict[Any, Any]:
        loaded: dict[Any, Any] = yaml.safe_load((self.root / self.workflow_file).read_text())
        return loaded

    def github(self) -> dict[str, Any]:
        """What GitHub offers as `github` (empty strings where it has null)."""
        workflow_run = {"conclusion": "", "event": "", "head_sha": ""}
        sha = self.sha
        if self.event_name == "workflow_run":
            workflow_run = {"conclusion": self.conclusion, "event": self.trigger, "head_sha": sha}
            sha = MAIN_MOVED_ON
        return {
            "sha": sha,
            "event_name": self.event_name,
            "event": {
                "workflow_run": workflow_run,
                "pull_request": {"head": {"repo": {"full_name": self.repository_name}}},
            },
            "repository": self.repository_name,
            "ref": "refs/pull/1/merge" if self.event_name == "pull_request" else "refs/heads/main",
            "workspace": str(self.work),
            "run_id": self.run_id,
            "run_attempt": "1",
        }

    def hash_files(self, *patterns: str) -> str:
        files = sorted({p for pattern in patterns for p in self.root.glob(pattern) if p.is_file()})
        if not files:
            return ""
        digest = hashlib.sha256()
        for path in files:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    def run(self, stub: Mapping[str, str] | None = None) -> dict[str, JobResult]:
        """Every job, in `needs` order. A job in `stub` that would run is only read: every
        expression of it is evaluated (an unknown one fails) but no command runs; it gets the
        given result (success | failure) and empty outputs. A failing step fails its job; the
        job's later steps run only if their `if:` says so (always()); then RehearsalError."""
        stub = stub or {}
        workflow = self.workflow()
        declared = (workflow[True].get("workflow_dispatch") or {}).get("inputs", {})
        # Inputs GitHub does not have for this event read as null (''), as on GitHub.
        inputs = {name: "" for name in declared}
        if self.event_name == "workflow_dispatch":
            inputs.update(self.inputs)
        self.jobs = {}
        for job_id in job_order(workflow["jobs"]):
            job = workflow["jobs"][job_id]
            if self.only is not None and job_id not in self.only:
                self.jobs[job_id] = JobResult(job_id, result="success", stubbed=True)
                continue
            result = self._run_job(job_id, job, workflow, inputs, stub.get(job_id))
            self.jobs[job_id] = result
            if result.result == "failure" and not result.stubbed:
                failed = next(s for s in result.steps if s.outcome == "failed")
                raise RehearsalError(
                    f"job {job_id}, step {failed.name!r} failed:\n{failed.output[-6000:]}"
                )
        return self.jobs

    def _needs(self, job: Mapping[str, Any], workflow: Mapping[str, Any]) -> dict[str, Any]:
        return {
            needed: {
                "result": self.jobs[needed].result,
                "outputs": {
                    name: self.jobs[needed].outputs.get(name, "")
                    for name in workflow["jobs"][needed].get("outputs", {})
                },
            }
            for needed in needs_of(job)
        }

    def _run_job(
        self,
        job_id: str,
        job: Mapping[str, Any],
        workflow: Mapping[str, Any],
        inputs: dict[str, str],
        stubbed: str | None,
    ) -> JobResult:
        needs = self._needs(job, workflow)
        # What a job's if:, name and environment may read (no env, secrets or steps yet).
        outer: dict[str, Any] = {
            "github": self.github(),
            "inputs": inputs,
            "needs": needs,
            "vars": dict(self.repository.variables),
        }
        job_status = {
            "success": lambda: all(n["result"] == "success" for n in needs.values()),
            "failure": lambda: any(n["result"] == "failure" for n in needs.values()),
        }
        result = JobResult(job_id, id_token=can_mint_id_token(job, workflow))
        if not evaluate(condition(job.get("if", "success()")), outer, job_status):
            return result
        result.name = substitute(str(job.get("name", job_id)), outer, {})
        declared_environment = job.get("environment", "")
        if isinstance(declared_environment, Mapping):
            declared_environment = declared_environment.get("name", "")
        result.environment = substitute(str(declared_environment), outer, {})
        result.environment = self.environment_names.get(result.environment, result.environment)
        result.stubbed = stubbed is not None
        settings = self.repository
        if result.environment:
            if result.environment not in self.environments:
                raise RehearsalError(
                    f"job {job_id} runs in the GitHub environment {result.environment}, which the "
                    f"rehearsal's settings have not (known: {sorted(self.environments)})"
                )
            settings = self.environments[result.environment]
        # A fresh runner's temporary directory: what a job finds there, it made or downloaded.
        runner_temp = self.work / "github" / job_id / "runner-temp"
        shutil.rmtree(runner_temp, ignore_errors=True)
        runner_temp.mkdir(parents=True)
        context: dict[str, Any] = {
            **outer,
            "vars": dict(settings.variables),
            "secrets": dict(settings.secrets),
            "steps": {},
            "runner": {
                "os": "Linux",
                "environment": self.runner_environment,
                "temp": str(runner_temp),
            },
        }
        functions = {"hashFiles": self.hash_files}
        context["env"] = {
            k: substitute(str(v), context, functions) for k, v in workflow.get("env", {}).items()
        }
        context["env"].update(
            {k: substitute(str(v), context, functions) for k, v in job.get("env", {}).items()}
        )
        files = self.work / "github" / job_id
        files.mkdir(parents=True, exist_ok=True)
        summary = files / "step_summary"
        summary.write_text("")
        started = time.monotonic()
        failed = False
        role = ""
        credentials: dict[str, str] = {}
        for index, step in enumerate(job["steps"]):
            step_status: dict[str, Callable[..., Any]] = {
                **functions,
                "success": lambda failed=failed: not failed,
                "failure": lambda failed=failed: failed,
            }
            name = str(step.get("name") or step.get("uses") or step["run"].splitlines()[0])
            name = substitute(name, context, functions)
            if not evaluate(condition(step.get("if", "success()")), context, step_status):
                result.steps.append(StepResult(name, "skipped (if:)"))
                continue
            with_inputs = {
                k: substitute(str(v), context, functions) for k, v in step.get("with", {}).items()
            }
            if "uses" in step:
                action = step["uses"]
                if action.startswith(RUNNER_SETUP_ACTIONS):
                    result.steps.append(StepResult(name, "runner setup", inputs=with_inputs))
                elif action.startswith(CREDENTIALS_ACTION):
                    role = str(step["with"]["role-to-assume"])
                    result.steps.append(StepResult(name, "replaced", role=role, inputs=with_inputs))
                    if self.assume is not None and not result.stubbed:
                        session = with_inputs["role-session-name"]
                        credentials.update(
                            self.assume(with_inputs["role-to-assume"], session, result.environment)
                        )
                        result.sessions.append(session)
                elif action.startswith((UPLOAD_ARTIFACT, DOWNLOAD_ARTIFACT)):
                    step_result = StepResult(name, "", inputs=with_inputs)
                    if result.stubbed:
                        step_result.outcome = "not run (stub)"
                    else:
                        self._artifact(action.startswith(UPLOAD_ARTIFACT), step_result)
                    result.steps.append(step_result)
                    if step_result.outcome == "failed":
                        failed = True
                else:
                    raise RehearsalError(
                        f"job {job_id}, step {index} uses {action}, "
                        "which the rehearsal does not know"
                    )
                continue
            step_env = {
                k: substitute(str(v), context, functions) for k, v in step.get("env", {}).items()
            }
            command = substitute(step["run"], context, functions)
            for text, replacement in self.rewrite.items():
                command = command.replace(text, replacement)
            if result.stubbed:
                step_result = StepResult(name, "not run (stub)", command=command)
                outputs: dict[str, str] = {}
            else:
                step_result, outputs = self._run_step(
                    name, command, {**step_env, **credentials}, context, files, index
                )
            step_result.role = role
            result.steps.append(step_result)
            if step_result.outcome == "failed":
                failed = True
            elif "id" in step:
                context["steps"][step["id"]] = {"outputs": outputs}
        result.seconds = time.monotonic() - started
        result.summary = summary.read_text()
        result.result = "failure" if failed else "success"
        if stubbed is not None:
            result.result = stubbed
            given = self.stub_outputs.get(job_id, {})
            unknown = set(given) - set(job.get("outputs", {}))
            if unknown:
                raise RehearsalError(f"job {job_id} declares no output {sorted(unknown)}")
            result.outputs = {name: given.get(name, "") for name in job.get("outputs", {})}
        elif not failed:
            result.outputs = {
                k: substitute(str(v), context, functions) for k, v in job.get("outputs", {}).items()
            }
            if isinstance(job.get("environment"), Mapping) and "url" in job["environment"]:
                result.url = substitute(str(job["environment"]["url"]), context, functions)
        return result

    def _artifact(self, upload: bool, step: StepResult) -> None:
        """An artifact kept in, or fetched from, this run's store (the module's docstring)."""
        stored = self.work / "github" / "artifacts" / step.inputs["name"]
        path = Path(step.inputs["path"])
        source, target = (path, stored) if upload else (stored, path)
        if not source.is_dir() or not any(source.iterdir()):
            step.outcome = "failed"
            step.output = (
                f"no files at {path}" if upload else f"no artifact {step.inputs['name']} in the run"
            )
            return
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        step.outcome = "artifact kept" if upload else "artifact fetched"

    def _run_step(
        self,
        name: str,
        command: str,
        step_env: Mapping[str, str],
        context: Mapping[str, Any],
        files: Path,
        index: int,
    ) -> tuple[StepResult, dict[str, str]]:
        output_file, env_file, path_file = (
            files / f"{index}.{kind}" for kind in ("output", "env", "path")
        )
        for path in (output_file, env_file, path_file):
            path.write_text("")
        env = {
            **self.base_env,
            **context["env"],
            **step_env,
            "CI": "true",
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_ENV": str(env_file),
            "GITHUB_PATH": str(path_file),
            "GITHUB_STEP_SUMMARY": str(files / "step_summary"),
        }
        started = time.monotonic()
        # GitHub's default shell for run steps on Linux.
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        outcome = "passed" if done.returncode == 0 else "failed"
        result = StepResult(
            name, outcome, time.monotonic() - started, done.stdout + done.stderr, command=command
        )
        for path in (env_file, path_file):
            if path.read_text():
                variable = f"$GITHUB_{path.suffix[1:].upper()}"
                raise RehearsalError(
                    f"step {name!r} writes {variable}, which the rehearsal does not model"
                )
        return result, read_outputs(output_file) if outcome == "passed" else {}
