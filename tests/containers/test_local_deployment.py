"""ENV=local as a full deployment: the task definition the compute module registered runs as pods.

Every test drives the real make targets against a private emulator, a private registry standing
in for ECR, a private local ECS agent and its load balancer (tests/harness/emulator.py), with the
real images built by podman: deploy, inspect, roll out and back, a rollout the circuit breaker
rolls back, a crashed task replaced, refuse, tear down. The production steps run unchanged:
ops/push-images logs in to the emulator's ECR, ops/wait-deployed waits on the emulator's ECS,
whose deployments the agent keeps (localenv/ecs_emulation.py). No test needs the one before it:
each gets the deployment from the `deployment` fixture (tests/containers/conftest.py), made by the
first test that needs it; the tests that change it put it back, and after the teardown the next
test that needs it gets a new first deploy. In file order it is deployed once.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import re
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import requests

from tests.containers.deployment import GIT_HEAD, Release, first_deploy_commands, run_workflow
from tests.harness import ROOT
from tests.harness.emulator import NAME, REGION, UNITS, Emulator
from tests.harness.workflow import JobResult

ENGINE = "localenv/podman"
SECOND_TAG = "feedbee"  # a second release: same code, another image tag and version
BAD_TAG = "badc0de"  # a release whose app never answers: its container never gets healthy


def podman(*args: str) -> str:
    return subprocess.run(
        [str(ROOT / ENGINE), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def url(emulator: Emulator) -> str:
    printed = emulator.make("-s", "endpoint").stdout
    match = re.search(r"^url=(\S+)$", printed, re.MULTILINE)
    assert match, printed
    return match.group(1)


def api_key(emulator: Emulator) -> str:
    secret = emulator.outputs("secrets")["secret_arn"]
    value = emulator.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
    return str(value.split(",")[0].partition(":")[2])


def agent_log(emulator: Emulator) -> str:
    """What the local ECS agent printed (its daemon's log under the run directory)."""
    path = Path(emulator.env["SUMAPI_RUN_DIR"]) / f"localecs-{emulator.env['LB_PORT']}.log"
    return path.read_text() if path.exists() else ""


def service(emulator: Emulator) -> dict[str, Any]:
    compute = emulator.outputs("compute")
    found: dict[str, Any] = emulator.client("ecs").describe_services(
        cluster=compute["cluster_name"], services=[compute["service_name"]]
    )["services"][0]
    return found


def task_pods(emulator: Emulator) -> list[str]:
    lb_port = emulator.env["LB_PORT"]
    names = podman(
        "pod", "ps", "--filter", f"label=sumapi.localecs.lb={lb_port}", "--format", "{{.Name}}"
    )
    return sorted(filter(None, names.splitlines()))


def service_definition(emulator: Emulator) -> dict[str, Any]:
    definition: dict[str, Any] = emulator.client("ecs").describe_task_definition(
        taskDefinition=service(emulator)["taskDefinition"]
    )["taskDefinition"]
    return definition


def test_the_deploy_workflow_deploys_from_empty(deployment: Release, emulator: Emulator) -> None:
    """The workflow's own jobs, in `needs` order, each step in order, on an empty emulator."""
    jobs = deployment.ensure().jobs
    assert {job: result.result for job, result in jobs.items()} == {
        "setup": "success",
        "plan": "success",
        "images": "success",
        "deploy": "success",
    }
    assert list(jobs) == ["setup", "plan", "images", "deploy"], "needs order"
    # Which role variable each job's credentials step was given (the step the rehearsal
    # replaces), and in which GitHub environment the job ran.
    assert {
        job: (r.environment, [s.role for s in r.steps if s.outcome == "replaced"])
        for job, r in jobs.items()
    } == {
        "setup": ("", []),
        "plan": ("local-plan", ["${{ vars.AWS_PLAN_ROLE_ARN }}"]),
        "images": ("local-images", ["${{ vars.AWS_PUSH_ROLE_ARN }}"]),
        "deploy": ("local", ["${{ vars.AWS_DEPLOY_ROLE_ARN }}"]),
    }
    # The workflow's image build runs in the images job only, before its credentials step.
    assert [job for job, r in jobs.items() if r.ran("make images")] == ["images"]
    assert [job for job, r in jobs.items() if r.ran("make push-images")] == ["images"]
    [build] = jobs["images"].ran("make images")
    assert build.role == "", "built before the job's credentials step"
    [push] = jobs["images"].ran("make push-images")
    assert push.role == "${{ vars.AWS_PUSH_ROLE_ARN }}"
    # Pushed by this job, through ECR's steps: the login with the emulator's ECR token, which
    # the local registry accepts, then both images to the repositories' URIs.
    assert "Login Succeeded" in push.output, push.output
    for image in ("sumapi", "sumapi-gateway"):
        assert f"push-images: {image}:{GIT_HEAD} -> " in push.output, push.output
    assert jobs["setup"].outputs["image_tag"] == GIT_HEAD
    # The plan job saved a plan of every unit the pipeline deploys, under the plan role, and
    # showed it in its summary: what prod's approver reads before the deploy job may start.
    [planned] = jobs["plan"].ran("make saved-plan ")
    assert planned.role == "${{ vars.AWS_PLAN_ROLE_ARN }}"
    pipeline_units = sorted(set(UNITS) - {"github-oidc"})
    for unit in pipeline_units:
        assert re.search(rf"^\| {unit} \| \d+ \| \d+ \| \d+ \|", jobs["plan"].summary, re.M), unit
    assert re.search(r"^\| compute \| [1-9]\d* \| 0 \| 0 \| new:", jobs["plan"].summary, re.M)
    [kept] = [s for s in jobs["plan"].steps if s.outcome == "artifact kept"]
    deploy = jobs["deploy"]
    # The deploy job applied those files, fetched from the run (its runner.temp was empty),
    # and no plan of its own: compute, planned before networking existed, was planned again
    # on the real outputs and applied because it creates exactly what was approved.
    [fetched] = [s for s in deploy.steps if s.outcome == "artifact fetched"]
    assert fetched.inputs["name"] == kept.inputs["name"]
    [applied] = deploy.ran("make apply-saved-plan ")
    assert applied.role == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert not deploy.ran("make deploy ")
    assert re.search(
        r"saved-plan: compute: new unit, planned on placeholders of [^\n]*vpc_id[^\n]*created as "
        r"approved",
        applied.output,
    ), applied.output[-4000:]
    assert "apply-saved-plan: done (ENV=local)" in applied.output
    deployed = "\n".join(s.output for s in deploy.steps)
    # The wait step is ops/wait-deployed against the emulator's ECS, as on AWS: the local agent
    # ran the tasks and the deployment COMPLETED.
    [wait] = deploy.ran("make wait-deployed")
    assert re.search(r"wait-deployed: \S+ stable on \S+", wait.output), wait.output
    emulator.figures["  wait-deployed (tasks started, healthy)"] = f"{wait.seconds:.1f} s"
    assert "smoke-test: all checks passed" in deployed
    assert "| GET /healthz | 200 | 200 | pass |" in deploy.summary
    assert GIT_HEAD in deploy.summary
    assert deploy.url == url(emulator), "the environment's URL is the endpoint step's output"


def test_the_operator_runs_the_runbooks_first_deploy_in_its_order(deployment: Release) -> None:
    """Blockers of a first deploy from an empty account, each a step of the runbook: the lock
    files before any unit exists, the keys before compute (the key tool redeploys nothing)."""
    steps = deployment.ensure().operator
    assert [(s.step, s.command) for s in steps] == first_deploy_commands()
    ran = [s.command.replace("<env>", "local") for s in steps if not s.skipped]
    assert ran[:2] == ["make backend-bootstrap ENV=local", "make providers-lock ENV=local"]
    assert "make deploy ENV=local MODULE=github-oidc" in ran
    for done in steps:
        if "providers-lock" in done.command:
            # One lock file per unit, written before any unit exists.
            lock_file = "live/local/compute/.terraform.lock.hcl (linux_amd64)"
            assert lock_file in done.output, done.output
        # The key tool ran before compute existed, and redeployed nothing.
        if "seed-key" in done.command or "rotate-key" in done.command:
            assert "no ECS service deployed yet" in done.output, done.output
    # Only CI's roles, the repositories the first images go to and the secrets were applied by
    # the operator: the pipeline made the rest.
    operator_units = {c.split("MODULE=")[1].split()[0] for c in ran if c.startswith("make deploy ")}
    assert operator_units == {"github-oidc", "registry", "secrets"}


def trusted_environments(emulator: Emulator) -> dict[str, set[str]]:
    """github-oidc output of each role's ARN -> the GitHub environments its live trust policy
    names (as applied by the deploy job, from live/local/github-oidc)."""
    roles = emulator.outputs("github-oidc")
    iam = emulator.client("iam")
    trusted: dict[str, set[str]] = {}
    for output in ("role_arn", "push_role_arn", "plan_role_arn"):
        role = iam.get_role(RoleName=roles[output].rsplit("/", 1)[1])["Role"]
        document = role["AssumeRolePolicyDocument"]
        if isinstance(document, str):
            document = json.loads(unquote(document))
        [statement] = document["Statement"]
        subjects = statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
        subjects = [subjects] if isinstance(subjects, str) else subjects
        trusted[output] = set()
        for subject in subjects:
            match = re.fullmatch(r"repo:[^:]+/[^:]+:environment:([^:]+)", subject)
            assert match, f"{output} trusts {subject}, not one GitHub environment"
            trusted[output].add(match.group(1))
    return trusted


def test_each_job_can_assume_only_the_role_it_names(
    deployment: Release, emulator: Emulator
) -> None:
    """What a job can hold is what its token can assume: every step of a job with id-token:
    write can mint the token, whose subject is the job's environment. So a job holds each role
    that trusts its environment, whichever step the workflow hands the role to."""
    jobs = deployment.ensure().jobs
    trusted = trusted_environments(emulator)
    held = {
        job: {role for role, environments in trusted.items() if r.environment in environments}
        if r.id_token
        else set()
        for job, r in jobs.items()
    }
    assert held == {
        "setup": set(),
        "plan": {"plan_role_arn"},
        "images": {"push_role_arn"},
        "deploy": {"role_arn"},
    }
    roles = deployment.ensure().roles
    for job, r in jobs.items():
        named = {s.inputs["role-to-assume"] for s in r.steps if s.outcome == "replaced"}
        expected = {roles[output] for output in held[job]}
        assert named == expected, f"job {job} names {named} but can assume {expected}"
    # No job that builds the images, which runs third-party code, can assume the apply role.
    builders = [job for job, r in jobs.items() if r.ran("make images") or r.ran("container-engine")]
    assert builders
    for job in builders:
        assert "role_arn" not in held[job], job


@pytest.mark.usefixtures("deployed")
def test_the_task_answers_behind_the_load_balancer(emulator: Emulator) -> None:
    base = url(emulator)
    assert base.startswith("http://127.0.0.1:")

    smoke = emulator.make("smoke", extra_env={"SMOKE_API_KEY": api_key(emulator)})
    assert "smoke-test: all checks passed" in smoke.stdout, smoke.stdout

    health = requests.get(f"{base}/healthz", timeout=5)
    assert health.json() == {"status": "ok", "version": GIT_HEAD}
    key = api_key(emulator)
    total = requests.post(
        f"{base}/api/v1/sum", json={"a": 2, "b": 40}, headers={"X-API-Key": key}, timeout=5
    )
    assert (total.status_code, total.json()) == (200, {"result": 42})
    for response, status in [
        (requests.post(f"{base}/api/v1/sum", json={"a": 1, "b": 2}, timeout=5), 401),
        (
            requests.post(
                f"{base}/api/v1/sum",
                data=b'{"a": 1, "b": 2, "pad": "' + b"x" * 17000 + b'"}',
                headers={"X-API-Key": key, "Content-Type": "application/json"},
                timeout=5,
            ),
            413,
        ),
        (requests.get(f"{base}/metrics", timeout=5), 404),
    ]:
        assert response.status_code == status
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.json()["status"] == status
        assert key not in response.text


@pytest.mark.usefixtures("deployed")
def test_containers_are_wired_as_the_task_definition(emulator: Emulator) -> None:
    definition = service_definition(emulator)
    pods = task_pods(emulator)
    assert len(pods) == 2
    for pod in pods:
        for container in definition["containerDefinitions"]:
            name = f"{pod}-{container['name']}"
            state = json.loads(podman("inspect", name))[0]
            config, host = state["Config"], state["HostConfig"]
            assert config["User"] == container["user"], name
            assert host["ReadonlyRootfs"] is True, name
            # ECS gives a read-only task no tmpfs: only the definition's volumes are writable.
            assert not host.get("Tmpfs"), name
            mounts = sorted(m["Destination"] for m in state["Mounts"])
            assert mounts == sorted(m["containerPath"] for m in container.get("mountPoints", []))
            assert config["StopTimeout"] == container["stopTimeout"], name
            env = dict(item.split("=", 1) for item in config["Env"])
            for item in container.get("environment", []):
                assert env[item["name"]] == item["value"], (name, item["name"])
            # The definition's health check and the image's own HEALTHCHECK both pass.
            podman("healthcheck", "run", name)
            image_check = json.loads(
                podman(
                    "image",
                    "inspect",
                    state["ImageName"],
                    "--format",
                    "{{json .Config.Healthcheck}}",
                )
            )["Test"]
            command = (
                ["sh", "-c", image_check[1]] if image_check[0] == "CMD-SHELL" else image_check[1:]
            )
            podman("exec", name, *command)


class Traffic:
    """The issue's steady traffic through the load balancer: health checks and sums with a key,
    each at its own pace (a thread each; a late request is not made up for). Every outcome is
    kept with its time."""

    def __init__(self, base: str, key: str, health_per_s: float = 40, sums_per_s: float = 4):
        self.base, self.key = base, key
        self.paces = {"healthz": health_per_s, "sum": sums_per_s}
        self.outcomes: list[tuple[float, str]] = []  # (monotonic time, "ok" or what failed)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(kind,)) for kind in self.paces]

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self, kind: str) -> None:
        interval = 1 / self.paces[kind]
        next_at = time.monotonic()
        with requests.Session() as session:
            while not self._stop.is_set():
                self.outcomes.append((time.monotonic(), self._request(session, kind)))
                next_at = max(next_at + interval, time.monotonic())
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def _request(self, session: requests.Session, kind: str) -> str:
        try:
            if kind == "sum":
                response = session.post(
                    f"{self.base}/api/v1/sum",
                    json={"a": 1, "b": 1},
                    headers={"X-API-Key": self.key},
                    timeout=10,
                )
                ok = response.status_code == 200 and response.json() == {"result": 2}
            else:
                response = session.get(f"{self.base}/healthz", timeout=10)
                ok = response.status_code == 200
            return "ok" if ok else f"http {response.status_code}"
        except requests.RequestException as error:
            return type(error).__name__

    def counts(self) -> Counter[str]:
        return Counter(outcome for _, outcome in self.outcomes)

    def failures(self) -> list[tuple[float, str]]:
        return [(at, outcome) for at, outcome in self.outcomes if outcome != "ok"]


def release(emulator: Emulator, tag: str, label: str, check: bool = True) -> Any:
    """The deploy job's steps for compute: apply, then ops/wait-deployed (the rollout runs
    after the apply returns, as on ECS). Returns the wait's result."""
    emulator.timed_make(f"{label}: apply", "deploy", "MODULE=compute", f"IMAGE_TAG={tag}")
    return emulator.timed_make(f"{label}: wait-deployed", "wait-deployed", check=check)


def stopped_exit_codes(log: str, revision: str) -> list[dict[str, int]]:
    """The exit codes the agent printed for the stopped pods of one task definition revision."""
    codes = re.findall(
        rf"localecs: stopped \S+-{revision}-\S+ \(stopped\), exit codes (\{{.*\}})", log
    )
    return [json.loads(found) for found in codes]


def deploy_under_traffic(
    deployment: Release, emulator: Emulator, label: str, run_id: str, **settings: Any
) -> dict[str, JobResult]:
    """deploy.yml run again, under traffic (day 2: a new release; then a rollback), each job
    under its role and every call judged."""
    first = deployment.ensure()
    revision = str(service_definition(emulator)["revision"])
    seen = len(agent_log(emulator))  # what the agent printed before this release
    started = time.monotonic()
    with Traffic(url(emulator), api_key(emulator)) as traffic:
        jobs, judgement = run_workflow(emulator, first, run_id=run_id, **settings)
    emulator.figures[label] = f"{time.monotonic() - started:.1f} s"
    denied = "\n".join(str(d) for d in judgement.denials)
    assert not judgement.denials, f"{label}: {len(judgement.denials)} call(s) denied:\n{denied}"
    assert jobs["deploy"].sessions
    assert "ecs:RegisterTaskDefinition" in judgement.actions, "released by the apply role"
    counts = traffic.counts()
    assert counts["ok"] > 100, counts
    assert counts == Counter(ok=counts["ok"]), f"client-visible failures: {counts}"
    # The old tasks were drained and stopped with their stopTimeout: every container exited 0.
    stopped = stopped_exit_codes(agent_log(emulator)[seen:], revision)
    assert len(stopped) == 2, agent_log(emulator)[seen:][-3000:]
    for codes in stopped:
        assert set(codes.values()) == {0}, codes
    return jobs


def test_rollout_of_a_new_tag_then_rollback_lose_no_request(
    deployment: Release, emulator: Emulator
) -> None:
    """Day 2 through the pipeline: a new image, then the rollback to the previous one."""
    with deployment.changing():
        # A new commit through the pipeline: its images built and pushed by the images job
        # (push role), the service rolled by the deploy job (apply role).
        jobs = deploy_under_traffic(
            deployment,
            emulator,
            f"release of {SECOND_TAG} (workflow: plan, images, deploy)",
            "3",
            sha=SECOND_TAG,
            inputs={"environment": "local", "module": "compute", "image_tag": ""},
        )
        assert [j for j, r in jobs.items() if r.result == "success"] == [
            "setup",
            "plan",
            "images",
            "deploy",
        ]
        assert requests.get(f"{url(emulator)}/healthz", timeout=5).json()["version"] == SECOND_TAG
        revisions_after_rollout = {pod.split("-")[2] for pod in task_pods(emulator)}
        # The rollback: the workflow run by hand with the first commit's image, no build.
        jobs = deploy_under_traffic(
            deployment,
            emulator,
            "rollback to the first tag (workflow: plan, deploy)",
            "4",
            inputs={"environment": "local", "module": "compute", "image_tag": GIT_HEAD},
        )
        assert [j for j, r in jobs.items() if r.result == "success"] == ["setup", "plan", "deploy"]
        assert requests.get(f"{url(emulator)}/healthz", timeout=5).json()["version"] == GIT_HEAD
        assert {pod.split("-")[2] for pod in task_pods(emulator)} != revisions_after_rollout
        # The push is ECR's: a tag the registry holds is skipped, not pushed again.
        again = emulator.make("push-images", f"IMAGE_TAG={GIT_HEAD}").stdout
        assert again.count(f":{GIT_HEAD} already in ECR") == 2, again


PROMOTED_TAG = "c0ffee1"  # an image the source environment ran, which this one never built
SOURCE_NAME = "sumapi-src"  # the source environment's name (prod's promote_images_from: dev's)
LOCAL_ENV_HCL = ROOT / "live" / "local" / "env.hcl"


def source_environment_ran(emulator: Emulator, tag: str) -> dict[str, str]:
    """What dev's pipeline leaves for prod: its repositories (<name>/app, <name>/nginx) holding
    the images it ran under `tag` (here this checkout's images, pushed there under that tag).
    Returns each container's digest."""
    ecr = emulator.client("ecr")
    env = {**os.environ, **emulator.env}
    data = ecr.get_authorization_token()["authorizationData"][0]
    host = data["proxyEndpoint"].split("://", 1)[-1]
    password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)[1]
    engine = [str(ROOT / ENGINE)]
    subprocess.run(
        [*engine, "login", "--username", "AWS", "--password-stdin", host],
        input=password,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    digests = {}
    for container, image in (("app", "sumapi"), ("nginx", "sumapi-gateway")):
        uri = ecr.create_repository(repositoryName=f"{SOURCE_NAME}/{container}")["repository"][
            "repositoryUri"
        ]
        for argv in (["tag", f"{image}:{GIT_HEAD}", f"{uri}:{tag}"], ["push", f"{uri}:{tag}"]):
            subprocess.run([*engine, *argv], env=env, capture_output=True, check=True)
        deadline = time.monotonic() + 20
        while not (
            found := ecr.list_images(repositoryName=f"{SOURCE_NAME}/{container}")["imageIds"]
        ):
            assert time.monotonic() < deadline, f"{uri}:{tag} never reached the emulator's ECR"
            time.sleep(0.5)
        digests[container] = found[0]["imageDigest"]
    return digests


def test_an_environment_that_promotes_runs_the_source_environments_image_by_digest(
    deployment: Release, emulator: Emulator
) -> None:
    """prod's path: env.hcl's promote_images_from names dev's repositories; the pipeline's
    images job builds nothing and copies the image dev ran under the tag, by digest, under the
    push role; the deploy job runs it. A tag dev never ran is refused."""
    first = deployment.ensure()
    ecr = emulator.client("ecr")
    original = LOCAL_ENV_HCL.read_text()
    operator = first.operator_credentials
    with deployment.changing():
        try:
            sources = source_environment_ran(emulator, PROMOTED_TAG)
            # The operator's change (runbook): the setting, then the two units that read it.
            LOCAL_ENV_HCL.write_text(
                original.rstrip().removesuffix("}")
                + f'\n  promote_images_from = {{ account_id = "123456789012", region = "{REGION}",'
                + f' name = "{SOURCE_NAME}" }}\n}}\n'
            )
            for unit in ("github-oidc", "registry"):
                emulator.make("deploy", f"MODULE={unit}", extra_env=operator)
            started = time.monotonic()
            jobs, judgement = run_workflow(
                emulator,
                first,
                run_id="5",
                sha=PROMOTED_TAG,
                inputs={"environment": "local", "module": "compute", "image_tag": ""},
            )
            emulator.figures["promotion of a source environment's image"] = (
                f"{time.monotonic() - started:.1f} s"
            )
            assert [j for j, r in jobs.items() if r.result == "success"] == [
                "setup",
                "plan",
                "images",
                "deploy",
            ]
            assert jobs["plan"].outputs["promotes"] == "true"
            images = jobs["images"]
            assert not images.ran("make images")
            assert not images.ran("make push-images")
            [promoted] = images.ran("make promote-images")
            assert promoted.role == "${{ vars.AWS_PUSH_ROLE_ARN }}"
            denied = "\n".join(str(d) for d in judgement.denials)
            assert not judgement.denials, denied
            assert {"ecr:DescribeRepositories", "ecr:DescribeImages"} <= judgement.actions
            # The very bytes: the same digest in this environment's repositories as in the source's.
            names = emulator.outputs("registry")["repository_names"]
            for container, digest in sources.items():
                assert f"@{digest} -> " in promoted.output, promoted.output
                here = ecr.describe_images(
                    repositoryName=names[container], imageIds=[{"imageTag": PROMOTED_TAG}]
                )["imageDetails"][0]["imageDigest"]
                assert here == digest, container
            health = requests.get(f"{url(emulator)}/healthz", timeout=5).json()
            assert health["version"] == PROMOTED_TAG
            # Again: already there with that digest, nothing copied. A tag never run there: refused.
            again = emulator.make("promote-images", f"IMAGE_TAG={PROMOTED_TAG}").stdout
            assert again.count(" is already sha256:") == 2, again
            refused = emulator.make("promote-images", "IMAGE_TAG=deadbee", check=False)
            assert refused.returncode != 0
            assert "has no image deadbee: this environment runs only images its source" in (
                refused.stderr
            ), refused.stderr[-2000:]
            # Never a build of its own: an environment that promotes refuses make push-images.
            pushed = emulator.make("push-images", f"IMAGE_TAG={GIT_HEAD}", check=False)
            assert pushed.returncode != 0
            assert "never one built here: make promote-images" in pushed.stderr
        finally:
            LOCAL_ENV_HCL.write_text(original)
            for container in ("app", "nginx"):
                with contextlib.suppress(ecr.exceptions.RepositoryNotFoundException):
                    ecr.delete_repository(repositoryName=f"{SOURCE_NAME}/{container}", force=True)
        # Back as the other tests find it: no source, the roles' and registry's policies as
        # before, the service on the first image.
        for unit in ("github-oidc", "registry"):
            emulator.make("deploy", f"MODULE={unit}", extra_env=operator)
        emulator.make("deploy", "MODULE=compute", f"IMAGE_TAG={GIT_HEAD}")
        emulator.make("wait-deployed")
        assert requests.get(f"{url(emulator)}/healthz", timeout=5).json()["version"] == GIT_HEAD


def pod_port(pod: str) -> int:
    labels = json.loads(podman("pod", "inspect", pod, "--format", "{{json .Labels}}"))
    return int(labels["sumapi.localecs.hostport"])


def routed_ports(emulator: Emulator) -> set[int]:
    config = Path(emulator.env["SUMAPI_RUN_DIR"]) / f"lb-{emulator.env['LB_PORT']}" / "nginx.conf"
    return {int(port) for port in re.findall(r"server 127\.0\.0\.1:(\d+);", config.read_text())}


def test_a_crashed_task_is_replaced_and_its_failures_bounded(
    deployment: Release, emulator: Emulator
) -> None:
    """One task's app container is SIGKILLed under the issue's traffic. The bound: the load
    balancer stops routing to a target at the latest when unhealthy_threshold checks, interval
    apart and each at most timeout long, have failed after the last one that passed; so for at
    most W = interval x unhealthy_threshold + timeout seconds after the kill. Round robin over
    the two targets sends half the requests of that window to the dead one, plus one in flight
    per client. (ECS stops the task sooner: its app is essential.)"""
    with deployment.changing():
        group_arn = service(emulator)["loadBalancers"][0]["targetGroupArn"]
        group = emulator.client("elbv2").describe_target_groups(TargetGroupArns=[group_arn])
        [settings] = group["TargetGroups"]
        window = (
            settings["HealthCheckIntervalSeconds"] * settings["UnhealthyThresholdCount"]
            + settings["HealthCheckTimeoutSeconds"]
        )
        before = task_pods(emulator)
        assert len(before) == 2
        victim, survivor = before
        with Traffic(url(emulator), api_key(emulator)) as traffic:
            time.sleep(5)
            killed_at = time.monotonic()
            podman("kill", "--signal", "KILL", f"{victim}-app")
            deadline = killed_at + 180
            replacement: list[str] = []
            while time.monotonic() < deadline:
                replacement = [p for p in task_pods(emulator) if p not in before]
                if replacement and pod_port(replacement[0]) in routed_ports(emulator):
                    break
                time.sleep(1)
            replaced_after = time.monotonic() - killed_at
            # The replacement serving under the same traffic, past the window.
            time.sleep(max(5.0, killed_at + window + 5 - time.monotonic()))
        assert len(replacement) == 1, (task_pods(emulator), agent_log(emulator)[-3000:])
        assert set(task_pods(emulator)) == {survivor, *replacement}
        assert routed_ports(emulator) == {pod_port(survivor), pod_port(replacement[0])}

        seconds = traffic.outcomes[-1][0] - traffic.outcomes[0][0]
        rate = len(traffic.outcomes) / seconds
        bound = math.ceil(rate * window / 2) + len(traffic.paces)
        failures = traffic.failures()
        emulator.figures["crash: failed requests (bound)"] = (
            f"{len(failures)} of {len(traffic.outcomes)} ({bound}: {rate:.0f}/s, W={window}s)"
        )
        emulator.figures["crash: replacement routed after"] = f"{replaced_after:.1f} s"
        assert len(failures) <= bound, Counter(outcome for _, outcome in failures)
        assert all(at - killed_at <= window for at, _ in failures), failures[-5:]
        # After the window every request succeeded, the replacement's included.
        assert sum(1 for at, o in traffic.outcomes if at > killed_at + window and o == "ok") > 100

        # ECS's record of it: the task stopped as its essential container exited, and the
        # service went back to its steady state.
        messages = [e["message"] for e in service(emulator)["events"]]
        assert any("Essential container in task exited: app" in m for m in messages), messages[:5]
        assert service(emulator)["runningCount"] == 2


def bad_release(emulator: Emulator) -> None:
    """Images of BAD_TAG: the app image with a process that never listens (its health check
    never passes), the gateway as released; pushed like any release."""
    with tempfile.TemporaryDirectory() as context:
        (Path(context) / "Containerfile").write_text(
            f'FROM sumapi:{GIT_HEAD}\nENTRYPOINT ["sleep", "infinity"]\n'
        )
        podman("build", "--format", "docker", "--quiet", "-t", f"sumapi:{BAD_TAG}", context)
    podman("tag", f"sumapi-gateway:{GIT_HEAD}", f"sumapi-gateway:{BAD_TAG}")
    emulator.make("push-images", f"IMAGE_TAG={BAD_TAG}")


def test_a_release_that_never_gets_healthy_is_rolled_back_and_the_wait_fails(
    deployment: Release, emulator: Emulator
) -> None:
    with deployment.changing():
        bad_release(emulator)
        before = service(emulator)["taskDefinition"]
        pods = task_pods(emulator)
        with Traffic(url(emulator), api_key(emulator)) as traffic:
            waited = release(emulator, BAD_TAG, "a release that never gets healthy", check=False)
        # The wait step fails and says why; the applied definition is not the one running.
        assert waited.returncode != 0, waited.stdout
        assert "the circuit breaker rolled back" in waited.stderr, waited.stderr
        after = service(emulator)
        assert after["taskDefinition"] == before
        [primary] = after["deployments"]
        assert (primary["taskDefinition"], primary["rolloutState"]) == (before, "COMPLETED")
        messages = [e["message"] for e in after["events"]]
        failed = [m for m in messages if "deployment failed: tasks failed to start." in m]
        assert failed, messages[:8]
        assert any("rolling back to deployment" in m for m in messages), messages[:8]
        # The previous task set served throughout, and still does.
        counts = traffic.counts()
        assert counts == Counter(ok=counts["ok"]), counts
        assert counts["ok"] > 100, counts
        assert task_pods(emulator) == pods


def test_an_approved_plan_is_applied_only_with_the_inputs_it_was_planned_on(
    deployment: Release, emulator: Emulator, tmp_path: Path
) -> None:
    """The deploy job applies the plan job's files: another image tag given to the apply (or a
    dependency that changed its outputs since) makes it refuse, in one line, and apply nothing."""
    with deployment.changing():
        before = emulator.outputs("compute")
        applied_tag = before["image_tag"]  # the state's (a test before may have left another)
        assert applied_tag != SECOND_TAG
        plans = tmp_path / "plans"
        emulator.make(
            "saved-plan", "MODULE=compute", f"IMAGE_TAG={SECOND_TAG}", f"PLAN_DIR={plans}"
        )
        summary = (plans / "summary.md").read_text()
        assert re.search(r"^\| compute \| \d+ \| [1-9]\d* \| \d+ \|", summary, re.M), summary
        # tofu's own text of the change: the task's image, from the applied tag to the new one.
        assert re.search(rf':{applied_tag}" -> "[^"\n]*:{SECOND_TAG}"', summary), summary[-3000:]
        refused = emulator.make(
            "apply-saved-plan",
            "MODULE=compute",
            f"IMAGE_TAG={applied_tag}",
            f"PLAN_DIR={plans}",
            check=False,
        )
        assert refused.returncode != 0
        lines = [
            line.split("tofu-saved-plans: ", 1)[-1].strip()
            for line in (refused.stdout + refused.stderr).splitlines()
            if "saved-plan: compute:" in line
        ]
        assert lines, refused.stdout[-3000:] + refused.stderr[-3000:]
        assert set(lines) == {
            "saved-plan: compute: its inputs changed since the approved plan (image_tag): a "
            "unit it depends on changed them, or the deploy was given other values; nothing of "
            "it was applied: plan and approve again"
        }, lines
        assert emulator.outputs("compute") == before, "nothing was applied"


def test_a_definition_the_runner_cannot_honour_fails_its_deployment_in_one_line(
    deployment: Release, emulator: Emulator
) -> None:
    with deployment.changing():
        compute = emulator.outputs("compute")
        ecs = emulator.client("ecs")
        current = service_definition(emulator)
        running = task_pods(emulator)
        keep = (
            "family",
            "containerDefinitions",
            "volumes",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
            "executionRoleArn",
            "taskRoleArn",
        )
        spec = {k: current[k] for k in keep if k in current}
        spec["containerDefinitions"][1]["firelensConfiguration"] = {"type": "fluentbit"}
        odd = ecs.register_task_definition(**spec)["taskDefinition"]["taskDefinitionArn"]
        ecs.update_service(
            cluster=compute["cluster_name"], service=compute["service_name"], taskDefinition=odd
        )
        # The deployment fails in one line, the circuit breaker rolls back to the running one.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            now = service(emulator)
            [primary, *others] = now["deployments"]
            if not others and primary["rolloutState"] == "COMPLETED":
                break
            time.sleep(1)
        assert now["taskDefinition"] == current["taskDefinitionArn"], now["deployments"]
        assert (primary["taskDefinition"], others) == (current["taskDefinitionArn"], [])
        name = odd.rsplit("/", 1)[-1]
        failed = [e["message"] for e in now["events"] if f"definition {name} " in e["message"]]
        assert len(failed) == 1, [e["message"] for e in now["events"]][:8]
        assert "deployment failed: task definition" in failed[0], failed
        assert "firelensConfiguration" in failed[0], failed
        assert "does not emulate" in failed[0], failed
        # Nothing was started or stopped.
        assert task_pods(emulator) == running


def test_destroy_then_down_leave_nothing(deployment: Release, emulator: Emulator) -> None:
    """The end of the deployment. First the runbook's teardown (Tearing down an environment),
    an operator's, never the pipeline's: every unit in reverse order, the roles the pipeline
    made inside the workload boundary and CI's own roles last. Then `make down`."""
    first = deployment.ensure()
    try:
        base = url(emulator)  # compute's output: gone with the destroy
        emulator.timed_make(
            "make destroy UNPROTECT=1 (operator, every unit)",
            "destroy",
            "UNPROTECT=1",
            extra_env=first.operator_credentials,
        )
        for unit in UNITS:
            assert not emulator.state(unit).get("resources"), f"{unit} still holds resources"
        roles = [r["RoleName"] for r in emulator.client("iam").list_roles()["Roles"]]
        assert not [r for r in roles if r.startswith(NAME)], roles
        registry = f"http://127.0.0.1:{emulator.env['REGISTRY_PORT']}/v2/"
        # It answers, and only with ECR's credential (the emulator's token).
        assert requests.get(registry, timeout=5).status_code == 401
        emulator.timed_make("make down (tasks, load balancer, registry, emulator)", "down")
        assert task_pods(emulator) == []
        for gone in (base, registry, emulator.endpoint):
            try:
                requests.get(gone, timeout=2)
            except requests.ConnectionError:
                continue
            raise AssertionError(f"{gone} still answers after make down")
        again = emulator.make("down")
        assert again.returncode == 0
    finally:
        # Down, or half down if it failed: the next test that needs it deploys again.
        deployment.gone()
