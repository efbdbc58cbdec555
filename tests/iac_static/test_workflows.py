"""The delivery workflows, read statically: what triggers a deploy, which jobs run, which role
each job can hold, what CI never does (bootstrap the state bucket, write or read an API key),
action pins.

Which jobs run is the rehearsal's answer (tests/harness/workflow.py) with every job but `setup`
stubbed: setup's own shell checks run, the other jobs' expressions are all evaluated in their
GitHub environments, and no make target runs. The deploy itself runs job by job in
tests/containers; these checks need no emulator, so they run in `make test-iac-static`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.harness import ROOT
from tests.harness.workflow import (
    MAIN_MOVED_ON,
    JobResult,
    Rehearsal,
    RehearsalError,
    github_environments,
)

WORKFLOWS = ROOT / ".github" / "workflows"
CREDENTIALS = "aws-actions/configure-aws-credentials@"
CHECKOUT = "actions/checkout@"
APPLY_ROLE = "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
PUSH_ROLE = "${{ vars.AWS_PUSH_ROLE_ARN }}"
PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v(\d+)\.(\d+)\.(\d+)$")
# The first majors on GitHub's current cache service (the earlier ones bundle the retired API).
MINIMUM_MAJOR = {"actions/setup-python": 6, "actions/setup-go": 6, "actions/cache": 4}
TESTED = "0123456789abcdef0123456789abcdef01234567"  # the commit CI tested
ALL_JOBS = ["setup", "plan", "images", "deploy"]
NOT_SETUP = {"plan": "success", "images": "success", "deploy": "success"}


def workflow(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return loaded


def deploy_jobs() -> dict[str, Any]:
    jobs: dict[str, Any] = workflow("deploy.yml")["jobs"]
    return jobs


def assumed_roles(job: dict[str, Any]) -> list[str]:
    """The role-to-assume of each credentials step of the job, in order."""
    return [
        str(step["with"]["role-to-assume"])
        for step in job["steps"]
        if str(step.get("uses", "")).startswith(CREDENTIALS)
    ]


def runs(job: dict[str, Any], fragment: str) -> bool:
    return any(fragment in step.get("run", "") for step in job["steps"])


def roles_by_step(job: dict[str, Any]) -> list[tuple[str, str]]:
    """(run command, role-to-assume of the last credentials step before it), in order."""
    role, steps = "", []
    for step in job["steps"]:
        if str(step.get("uses", "")).startswith(CREDENTIALS):
            role = step["with"]["role-to-assume"]
        elif "run" in step:
            steps.append((step["run"], role))
    return steps


def rehearse(
    tmp_path: Path,
    inputs: dict[str, str] | None = None,
    event: str = "workflow_dispatch",
    conclusion: str = "success",
    trigger: str = "push",
    stub: dict[str, str] | None = None,
    runner: str = "self-hosted",
    promotes: str = "false",
) -> dict[str, JobResult]:
    """The deploy workflow with every job but setup stubbed (or as `stub` says), on a runner
    of `runner.environment` runner."""
    env = (inputs or {}).get("environment") or "dev"
    rehearsal = Rehearsal(
        root=ROOT,
        work=tmp_path,
        inputs=inputs or {},
        sha=TESTED,
        base_env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        environments=github_environments(env, region="eu-west-1"),
        event_name=event,
        conclusion=conclusion,
        trigger=trigger,
        runner_environment=runner,
        # make image-source's answer for the environment (env.hcl's promote_images_from).
        stub_outputs={"plan": {"promotes": promotes}},
    )
    return rehearsal.run(stub=NOT_SETUP if stub is None else stub)


def ran(jobs: dict[str, JobResult]) -> list[str]:
    return [job for job, result in jobs.items() if result.result != "skipped"]


@pytest.mark.parametrize(
    ("event", "conclusion", "trigger", "expected"),
    [
        ("workflow_run", "success", "push", ALL_JOBS),
        ("workflow_run", "failure", "push", []),
        ("workflow_run", "cancelled", "push", []),
        ("workflow_run", "success", "pull_request", []),
        ("workflow_dispatch", "", "", ALL_JOBS),
    ],
)
def test_deploy_runs_only_after_ci_passed_on_a_push_or_by_hand(
    tmp_path: Path, event: str, conclusion: str, trigger: str, expected: list[str]
) -> None:
    deploy = workflow("deploy.yml")
    assert set(deploy[True]) == {"workflow_run", "workflow_dispatch"}  # yaml: `on` is True
    assert deploy[True]["workflow_run"] == {
        "workflows": [workflow("ci.yml")["name"]],
        "types": ["completed"],
        "branches": ["main"],
    }
    # Every job, not only the first: a job that ran for a failed CI run would deploy it.
    assert ran(rehearse(tmp_path, event=event, conclusion=conclusion, trigger=trigger)) == expected


@pytest.mark.parametrize(
    ("module", "image_tag", "expected", "build"),
    [
        ("all", "", ALL_JOBS, "true"),
        ("compute", "", ALL_JOBS, "true"),
        # A rollback names an image that exists: nothing is built or pushed.
        ("compute", "abc1234", ["setup", "plan", "deploy"], "false"),
        ("all", "abc1234", ["setup", "plan", "deploy"], "false"),
        # A unit that does not run the service needs no new image.
        ("networking", "", ["setup", "plan", "deploy"], "false"),
        ("registry", "", ["setup", "plan", "deploy"], "false"),
    ],
)
def test_images_are_built_only_for_a_deploy_of_the_service_without_an_image_tag(
    tmp_path: Path, module: str, image_tag: str, expected: list[str], build: str
) -> None:
    inputs = {"environment": "dev", "module": module, "image_tag": image_tag}
    jobs = rehearse(tmp_path, inputs)
    assert ran(jobs) == expected
    outputs = jobs["setup"].outputs
    assert outputs["build_images"] == build
    assert outputs["image_tag"] == (image_tag or TESTED)
    assert outputs["module"] == ("" if module == "all" else module)
    assert jobs["deploy"].name == f"Deploy dev ({module}, apply role)"


@pytest.mark.parametrize(
    ("image_tag", "promotes", "expected"),
    [
        # prod promotes: the images job copies dev's images, for a given tag too; never builds.
        ("", "true", ["setup", "plan", "images", "deploy"]),
        ("abc1234", "true", ["setup", "plan", "images", "deploy"]),
        ("", "false", ["setup", "plan", "images", "deploy"]),
        ("abc1234", "false", ["setup", "plan", "deploy"]),
    ],
)
def test_an_environment_that_promotes_copies_images_and_builds_none(
    tmp_path: Path, image_tag: str, promotes: str, expected: list[str]
) -> None:
    inputs = {"environment": "prod", "module": "compute", "image_tag": image_tag}
    jobs = rehearse(tmp_path, inputs, runner="github-hosted", promotes=promotes)
    assert ran(jobs) == expected
    if "images" not in expected:
        return
    steps = {s.name: s.outcome for s in jobs["images"].steps}
    building = [
        "Build the images, tagged with the commit SHA",
        "SBOM of each image",
        "Attach the SBOMs to the run",
        "Push the images",
    ]
    promoting = "Promote the images the source environment ran, by digest"
    done, skipped = "not run (stub)", "skipped (if:)"
    if promotes == "true":
        assert [steps[name] for name in building] == [skipped] * 4
        assert steps[promoting] == done
        assert "make promote-images" in next(
            s.command for s in jobs["images"].steps if s.name == promoting
        )
    else:
        assert [steps[name] for name in building] == [done] * 4
        assert steps[promoting] == skipped


@pytest.mark.parametrize(
    ("failed", "expected"),
    [
        ("plan", ["setup", "plan"]),
        ("images", ["setup", "plan", "images"]),
    ],
)
def test_a_failed_job_before_the_deploy_stops_it(
    tmp_path: Path, failed: str, expected: list[str]
) -> None:
    jobs = rehearse(tmp_path, stub={**NOT_SETUP, failed: "failure"})
    assert ran(jobs) == expected, "no deploy without an approved plan and the images it runs"


def test_every_job_checks_out_the_commit_ci_tested(tmp_path: Path) -> None:
    jobs = rehearse(tmp_path, event="workflow_run")
    refs = {
        job: [s.inputs.get("ref") for s in result.steps if s.name.startswith(CHECKOUT)]
        for job, result in jobs.items()
    }
    # main may have moved on (github.sha) since CI tested head_sha: only head_sha ships.
    assert refs == {job: [TESTED] for job in ALL_JOBS}, f"github.sha is {MAIN_MOVED_ON}: {refs}"
    assert jobs["setup"].outputs["image_tag"] == TESTED


def test_each_job_runs_in_the_github_environment_of_its_role(tmp_path: Path) -> None:
    jobs = rehearse(tmp_path, {"environment": "prod", "module": "all", "image_tag": ""})
    environments = {job: result.environment for job, result in jobs.items()}
    assert environments == {
        "setup": "",
        "plan": "prod-plan",
        "images": "prod-images",
        "deploy": "prod",
    }
    # The variables each job names resolve in its own environment (an unknown one fails the
    # rehearsal): the images job can name the push role only.
    replaced = {
        job: [s.inputs["role-to-assume"] for s in result.steps if s.outcome == "replaced"]
        for job, result in jobs.items()
    }
    assert replaced == {
        "setup": [],
        "plan": ["plan_role_arn"],
        "images": ["push_role_arn"],
        "deploy": ["role_arn"],
    }


def test_the_images_job_cannot_name_the_apply_role(tmp_path: Path) -> None:
    """Its environment holds the push role's variable only: a credentials step naming the apply
    role's would get an empty string on GitHub; the rehearsal refuses it."""
    images = github_environments("dev", region="eu-west-1")["dev-images"]
    assert set(images.variables) == {"AWS_PUSH_ROLE_ARN"}
    assert not images.secrets
    changed = (WORKFLOWS / "deploy.yml").read_text().replace(PUSH_ROLE, APPLY_ROLE)
    moved = tmp_path / "root"
    (moved / ".github" / "workflows").mkdir(parents=True)
    (moved / ".github" / "workflows" / "deploy.yml").write_text(changed)
    (moved / "live").symlink_to(ROOT / "live")
    rehearsal = Rehearsal(
        root=moved,
        work=tmp_path,
        inputs={},
        sha=TESTED,
        base_env={"PATH": "/usr/bin:/bin"},
        environments=github_environments("dev"),
    )
    with pytest.raises(RehearsalError, match=r"no value for vars\.AWS_DEPLOY_ROLE_ARN"):
        rehearsal.run(stub=NOT_SETUP)


def test_each_job_that_assumes_a_role_names_its_environment_and_one_role() -> None:
    for name, job in deploy_jobs().items():
        roles = assumed_roles(job)
        permissions = job.get("permissions", {})
        if not roles:
            # No AWS: no OIDC token either (a job without an environment still gets one).
            assert "id-token" not in permissions, f"{name} mints an OIDC token it does not use"
            continue
        assert permissions == {"contents": "read", "id-token": "write"}, name
        assert job.get("environment"), f"{name} assumes a role outside a GitHub environment"
        assert len(roles) == 1, f"{name} assumes {roles}: one role per job (its environment's)"
        assert re.fullmatch(r"\$\{\{ vars\.AWS_[A-Z]+_ROLE_ARN \}\}", roles[0]), roles[0]


def test_the_image_build_runs_in_the_push_role_job_only() -> None:
    jobs = deploy_jobs()
    builders = [name for name, job in jobs.items() if runs(job, "make images")]
    assert builders == ["images"]
    assert [name for name, job in jobs.items() if runs(job, "make push-images")] == ["images"]
    assert assumed_roles(jobs["images"]) == [PUSH_ROLE]
    assert "-images" in str(jobs["images"]["environment"])
    # Built before its credentials step: no AWS credentials are in the build's environment.
    steps = roles_by_step(jobs["images"])
    assert [role for run, role in steps if "make images" in run] == [""]
    assert [role for run, role in steps if "make push-images" in run] == [PUSH_ROLE]


def executed(job: JobResult) -> list[str]:
    """What each step of a job does, in order: its command or its action (the skipped left out)."""
    return [
        step.command or step.name
        for step in job.steps
        if step.outcome not in ("skipped (if:)", "runner setup")
    ]


ROLE_JOBS = [("deploy.yml", "plan"), ("deploy.yml", "images"), ("deploy.yml", "deploy")]
ROLE_JOBS += [("ci.yml", "plan-dev")]


@pytest.mark.parametrize(("name", "job_id"), ROLE_JOBS)
def test_a_job_that_can_assume_a_role_builds_no_tool_on_githubs_runners(
    name: str, job_id: str
) -> None:
    """There tofu and terragrunt are the release binaries (make release-tools: SHA-256 pinned in
    versions.env), installed before anything reads the tree; Go and the tool cache are set up
    only where make builds them (a self-hosted runner)."""
    job = workflow(name)["jobs"][job_id]
    assert assumed_roles(job), f"{job_id} assumes no role: not one of these jobs"
    steps = job["steps"]
    github_hosted = "runner.environment == 'github-hosted'"
    installs = [i for i, step in enumerate(steps) if step.get("run") == "make release-tools"]
    assert len(installs) == 1, job_id
    assert steps[installs[0]]["if"] == github_hosted
    tool_build = next(i for i, step in enumerate(steps) if step.get("run") == "make infra-tools")
    assert installs[0] < tool_build
    for step in steps:
        if str(step.get("uses", "")).startswith(("actions/setup-go@", "actions/cache@")):
            assert step["if"] == "runner.environment != 'github-hosted'", (job_id, step["uses"])


def test_on_githubs_runners_the_jobs_install_release_binaries_and_elsewhere_build_them(
    tmp_path: Path,
) -> None:
    hosted = rehearse(tmp_path / "hosted", runner="github-hosted")
    own = rehearse(tmp_path / "own")
    for job in ("plan", "images", "deploy"):
        assert "make release-tools" in executed(hosted[job]), job
        assert "make release-tools" not in executed(own[job]), job
        assert "make infra-tools" in executed(hosted[job]), job


def test_the_images_job_attaches_an_sbom_of_the_images_it_built_before_its_credentials(
    tmp_path: Path,
) -> None:
    jobs = rehearse(tmp_path, runner="github-hosted")
    images = jobs["images"]
    done = executed(images)
    build = done.index('make images IMAGE_TAG="$IMAGE_TAG"')
    sbom = done.index('make sbom IMAGE_TAG="$IMAGE_TAG"')
    [upload] = [s for s in images.steps if s.name == "Attach the SBOMs to the run"]
    assert upload.outcome == "not run (stub)"
    credentials = next(i for i, s in enumerate(images.steps) if s.outcome == "replaced")
    assert build < sbom < images.steps.index(upload) < credentials
    # Where make sbom writes (SBOM_DIR, the job's env) is what is uploaded; named for the
    # environment and the image tag; an upload without files fails the job.
    assert upload.inputs == {
        "name": f"sbom-dev-{TESTED}",
        "path": f"{tmp_path}/sbom",
        "if-no-files-found": "error",
        "retention-days": "90",
    }
    assert "SBOM_DIR" in deploy_jobs()["images"]["env"]
    # Not on a runner that cannot download the release (this machine's rehearsal).
    own = rehearse(tmp_path / "own")
    [skipped] = [s for s in own["images"].steps if s.name == "Attach the SBOMs to the run"]
    assert skipped.outcome == "skipped (if:)"


def test_only_the_deploy_job_applies_and_only_the_saved_plans() -> None:
    """No job plans and applies in one go (make deploy): the deploy job applies the files the
    plan job saved, under the apply role; the plan job plans them under the read-only role,
    without a state lock (its role may write no object)."""
    jobs = deploy_jobs()
    assert not [name for name, job in jobs.items() if runs(job, "make deploy ")]
    applying = [name for name, job in jobs.items() if runs(job, "make apply-saved-plan ")]
    assert applying == ["deploy"]
    assert [role for run, role in roles_by_step(jobs["deploy"]) if "apply-saved-plan" in run] == [
        APPLY_ROLE
    ]
    [(plan, role)] = [(run, r) for run, r in roles_by_step(jobs["plan"]) if "saved-plan" in run]
    assert role == "${{ vars.AWS_PLAN_ROLE_ARN }}"
    assert "PLAN_ARGS=-lock=false" in plan


def test_the_deploy_job_applies_the_artifact_of_its_own_runs_plan_job() -> None:
    jobs = deploy_jobs()
    [upload] = [s for s in jobs["plan"]["steps"] if "upload-artifact@" in s.get("uses", "")]
    [download] = [s for s in jobs["deploy"]["steps"] if "download-artifact@" in s.get("uses", "")]
    # Named for the run and its attempt: a re-run's deploy never applies an older plan.
    assert upload["with"]["name"] == download["with"]["name"]
    assert "github.run_id" in upload["with"]["name"]
    assert "github.run_attempt" in upload["with"]["name"]
    assert upload["with"]["if-no-files-found"] == "error"
    assert "plan" in jobs["deploy"]["needs"]
    # Where each job's make target reads and writes them: the runner's temporary directory.
    for job, path in (("plan", upload["with"]["path"]), ("deploy", download["with"]["path"])):
        assert path == "${{ runner.temp }}/plans", job
        [step] = [s for s in jobs[job]["steps"] if "saved-plan" in s.get("run", "")]
        assert step["env"]["PLAN_DIR"] == path, job


def test_the_pull_request_plan_uses_the_read_only_role_and_only_plans() -> None:
    job = workflow("ci.yml")["jobs"]["plan-dev"]
    assert "github.event_name == 'pull_request'" in job["if"]
    assert job["environment"] == "dev-plan"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    steps = roles_by_step(job)
    with_credentials = [(run, role) for run, role in steps if role]
    # Without a state lock: the plan role may write no lock object (modules/github-oidc).
    assert with_credentials == [
        ("make plan ENV=dev PLAN_ARGS=-lock=false", "${{ vars.AWS_PLAN_ROLE_ARN }}")
    ]


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_ci_never_bootstraps_the_backend_nor_touches_api_keys(name: str) -> None:
    for job in workflow(name)["jobs"].values():
        for step in job["steps"]:
            run = step.get("run", "")
            for forbidden in ("backend-bootstrap", "backend bootstrap", "seed-key", "rotate-key"):
                assert forbidden not in run, (name, run)


def test_deploy_inputs_are_checked_before_use() -> None:
    jobs = deploy_jobs()
    setup = jobs["setup"]
    assert setup["steps"][0]["name"] == "Check the inputs"
    assert {"REQUESTED_ENV", "REQUESTED_MODULE", "REQUESTED_TAG"} <= set(setup["env"])
    for name, job in jobs.items():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), f"{name}: inputs reach the shell via env only"
        if name != "setup":
            # The others read setup's checked outputs, never an input.
            assert "inputs." not in yaml.safe_dump(job), name


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"environment": "Dev;id"}, "environment must be a live/<env> name"),
        ({"module": "compute;id"}, "module must be all or a unit name"),
        ({"image_tag": "`id`"}, "image_tag must be a commit SHA"),
        ({"environment": "staging"}, "environment staging has no live/staging in this commit"),
    ],
)
def test_a_bad_input_stops_the_setup_job_in_one_line(
    tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    given = {"environment": "dev", "module": "all", "image_tag": "", **inputs}
    with pytest.raises(RehearsalError, match="job setup") as failed:
        rehearse(tmp_path, given)
    output = str(failed.value).splitlines()[1:]
    assert output == [next(line for line in output if message in line)], output


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
