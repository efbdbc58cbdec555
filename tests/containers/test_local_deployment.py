"""ENV=local as a full deployment: the task definition the compute module registered runs as pods.

Every test drives the real make targets against a private emulator, a private registry standing
in for ECR and a private load balancer (tests/harness/emulator.py), with the real images built by
podman: deploy, inspect, roll out and back, refuse, tear down. No test needs the one before it:
each gets the deployment from the `deployment` fixture (tests/containers/conftest.py), made by the
first test that needs it; the tests that change it put it back, and after the teardown the next
test that needs it gets a new first deploy. In file order it is deployed once.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import unquote

import pytest
import requests

from tests.containers.deployment import GIT_HEAD, Release, first_deploy_commands, run_workflow
from tests.harness import ROOT
from tests.harness.emulator import NAME, UNITS, Emulator

ENGINE = "localenv/podman"
SECOND_TAG = "feedbee"  # a second release: same code, another image tag and version


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


def task_pods(emulator: Emulator) -> list[str]:
    lb_port = emulator.env["LB_PORT"]
    names = podman(
        "pod", "ps", "--filter", f"label=sumapi.localecs.lb={lb_port}", "--format", "{{.Name}}"
    )
    return sorted(filter(None, names.splitlines()))


def service_definition(emulator: Emulator) -> dict[str, Any]:
    compute = emulator.outputs("compute")
    ecs = emulator.client("ecs")
    service = ecs.describe_services(
        cluster=compute["cluster_name"], services=[compute["service_name"]]
    )["services"][0]
    definition: dict[str, Any] = ecs.describe_task_definition(
        taskDefinition=service["taskDefinition"]
    )["taskDefinition"]
    return definition


def test_the_deploy_workflow_deploys_from_empty(deployment: Release, emulator: Emulator) -> None:
    """The workflow's own jobs, in `needs` order, each step in order, on an empty emulator."""
    jobs = deployment.ensure().jobs
    assert {job: result.result for job, result in jobs.items()} == {
        "setup": "success",
        "repositories": "success",
        "images": "success",
        "deploy": "success",
    }
    assert list(jobs) == ["setup", "repositories", "images", "deploy"], "needs order"
    # Which role variable each job's credentials step was given (the step the rehearsal
    # replaces), and in which GitHub environment the job ran.
    assert {
        job: (r.environment, [s.role for s in r.steps if s.outcome == "replaced"])
        for job, r in jobs.items()
    } == {
        "setup": ("", []),
        "repositories": ("local", ["${{ vars.AWS_DEPLOY_ROLE_ARN }}"]),
        "images": ("local-images", ["${{ vars.AWS_PUSH_ROLE_ARN }}"]),
        "deploy": ("local", ["${{ vars.AWS_DEPLOY_ROLE_ARN }}"]),
    }
    # The workflow's image build runs in the images job only, before its credentials step.
    # (On ENV=local, `make deploy` of compute also builds and pushes for the local ECS runner:
    # that is the emulated environment's, not a workflow step; on AWS it does not.)
    assert [job for job, r in jobs.items() if r.ran("make images")] == ["images"]
    assert [job for job, r in jobs.items() if r.ran("make push-images")] == ["images"]
    [build] = jobs["images"].ran("make images")
    assert build.role == "", "built before the job's credentials step"
    [push] = jobs["images"].ran("make push-images")
    assert push.role == "${{ vars.AWS_PUSH_ROLE_ARN }}"
    # Pushed by this job (the deploy job's local build would otherwise hide a push that failed
    # to happen here): both images, to the registry standing in for ECR.
    for image in ("sumapi", "sumapi-gateway"):
        assert f"push-images: {image}:{GIT_HEAD} -> " in push.output, push.output
    # The repositories exist before the images are pushed, and the images before the service.
    [registry] = jobs["repositories"].ran("make deploy ")
    assert "MODULE=registry" in registry.command
    assert "deploy: done (ENV=local MODULE=registry)" in registry.output
    assert jobs["setup"].outputs["image_tag"] == GIT_HEAD
    deploy = jobs["deploy"]
    assert [s.role for s in deploy.ran("make deploy ")] == ["${{ vars.AWS_DEPLOY_ROLE_ARN }}"]
    deployed = "\n".join(s.output for s in deploy.steps)
    ready = re.search(r"localecs: 2 task\(s\) of \S+ healthy in ([0-9.]+)s", deployed)
    assert ready, deployed[-3000:]
    emulator.figures["tasks healthy after start (2 pods)"] = f"{ready.group(1)} s"
    assert "smoke-test" in deployed
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
            assert "providers-lock: live/local/compute/.terraform.lock.hcl" in done.output
        # The key tool ran before compute existed (ENV=local's deploy of secrets seeds a key
        # itself; the operator's seed-key then finds one), and redeployed nothing.
        if "MODULE=secrets" in done.command or "rotate-key" in done.command:
            assert "no ECS service deployed yet" in done.output, done.output
    # Nothing but github-oidc and secrets was applied by the operator: the pipeline made the rest.
    operator_units = {c.split("MODULE=")[1].split()[0] for c in ran if c.startswith("make deploy ")}
    assert operator_units == {"github-oidc", "secrets"}


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
        "repositories": {"role_arn"},
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

    smoke = emulator.make("smoke")
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


def traffic(base: str, key: str, stop: threading.Event, outcomes: Counter[str]) -> None:
    """Liveness requests as fast as one client goes, a sum every 0.3 s (under the rate limit)."""
    last_sum = 0.0
    with requests.Session() as session:
        while not stop.is_set():
            try:
                if time.monotonic() - last_sum > 0.3:
                    last_sum = time.monotonic()
                    response = session.post(
                        f"{base}/api/v1/sum",
                        json={"a": 1, "b": 1},
                        headers={"X-API-Key": key},
                        timeout=10,
                    )
                    ok = response.status_code == 200 and response.json() == {"result": 2}
                else:
                    response = session.get(f"{base}/healthz", timeout=10)
                    ok = response.status_code == 200
                outcomes["ok" if ok else f"http {response.status_code}"] += 1
            except requests.RequestException as error:
                outcomes[type(error).__name__] += 1


def deploy_under_traffic(
    deployment: Release, emulator: Emulator, tag: str, label: str, run_id: str
) -> str:
    """deploy.yml run by hand for compute with an existing image (day 2: a new release; then a
    rollback), its deploy job under the apply role, every call judged, under traffic."""
    first = deployment.ensure()
    base, key = url(emulator), api_key(emulator)
    stop, outcomes = threading.Event(), Counter[str]()
    worker = threading.Thread(target=traffic, args=(base, key, stop, outcomes))
    worker.start()
    started = time.monotonic()
    try:
        jobs, judgement = run_workflow(
            emulator,
            first,
            inputs={"environment": "local", "module": "compute", "image_tag": tag},
            run_id=run_id,
        )
    finally:
        stop.set()
        worker.join(timeout=30)
    emulator.figures[label] = f"{time.monotonic() - started:.1f} s"
    assert [job for job, r in jobs.items() if r.result == "success"] == ["setup", "deploy"]
    denied = "\n".join(str(d) for d in judgement.denials)
    assert not judgement.denials, f"{label}: {len(judgement.denials)} call(s) denied:\n{denied}"
    assert judgement.calls > 0
    assert jobs["deploy"].sessions
    assert "ecs:UpdateService" in judgement.actions, "the release went out through the apply role"
    assert outcomes["ok"] > 100, outcomes
    assert outcomes == Counter(ok=outcomes["ok"]), f"client-visible failures: {outcomes}"
    output = "\n".join(step.output for step in jobs["deploy"].steps)
    # Old tasks were drained and stopped with their stopTimeout: every container exited 0.
    stopped = re.findall(r"localecs: stopped \S+, exit codes (\{.*\})", output)
    assert len(stopped) == 2, output[-4000:]
    for codes in stopped:
        assert set(json.loads(codes.replace("'", '"')).values()) == {0}, codes
    assert requests.get(f"{base}/healthz", timeout=5).json()["version"] == tag
    return output


def test_rollout_of_a_new_tag_then_rollback_lose_no_request(
    deployment: Release, emulator: Emulator
) -> None:
    """Day 2 through the pipeline: a new image, then the rollback to the previous one."""
    with deployment.changing():
        deploy_under_traffic(deployment, emulator, SECOND_TAG, f"rollout to {SECOND_TAG}", "3")
        revisions_after_rollout = {pod.split("-")[2] for pod in task_pods(emulator)}
        deploy_under_traffic(deployment, emulator, GIT_HEAD, "rollback to the first tag", "4")
        assert {pod.split("-")[2] for pod in task_pods(emulator)} != revisions_after_rollout


def test_a_definition_the_runner_cannot_honour_stops_with_one_line(
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
        try:
            refused = emulator.make("local-tasks", check=False)
            assert refused.returncode != 0
            errors = [line for line in refused.stderr.splitlines() if line.startswith("localecs:")]
            assert len(errors) == 1, refused.stderr
            assert "firelensConfiguration" in errors[0]
            assert "does not emulate" in errors[0]
            assert task_pods(emulator) == running  # nothing started, nothing stopped
        finally:
            ecs.update_service(
                cluster=compute["cluster_name"],
                service=compute["service_name"],
                taskDefinition=current["taskDefinitionArn"],
            )


def test_destroy_then_down_leave_nothing(deployment: Release, emulator: Emulator) -> None:
    """The end of the deployment. First the runbook's teardown (Tearing down an environment),
    an operator's, never the pipeline's: every unit in reverse order, the roles the pipeline
    made inside the workload boundary and CI's own roles last. Then `make down`."""
    first = deployment.ensure()
    try:
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
        base = url(emulator)
        registry = f"http://127.0.0.1:{emulator.env['REGISTRY_PORT']}/v2/"
        assert requests.get(registry, timeout=5).status_code == 200
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
