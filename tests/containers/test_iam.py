"""IAM of the first deploy: every call of the pipeline's jobs judged against its role, what an
attacker holding a CI role would try, the policy analyser's findings, and no API key anywhere
it should not be.

The deployment is the suite's (tests/containers/deployment.py): the runbook's operator steps,
then the workflow's jobs under their roles. Calls are judged by a real policy evaluator
(tests/harness/iam.py); moto's own IAM check is switched on only for the attempts it can
judge (an action no policy of the role grants): it ignores boundaries and most conditions and
turns a Deny with NotResource into an Allow, so an attempt it would let through is judged
without being sent.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import os
import re
import subprocess
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
import requests
import yaml  # type: ignore[import-untyped]

from tests.containers.deployment import REPOSITORY, Release
from tests.harness import ROOT
from tests.harness.emulator import NAME, REGION, STATE_BUCKET, Emulator, state_key
from tests.harness.iam import (
    Judgement,
    ResourcePolicies,
    judge,
    prepared_call,
    read_calls,
    role_policies,
)
from tests.harness.identities import assume_with_web_identity

ANALYSER = Path(os.environ.get("IAM_ANALYSER", ROOT / ".tools" / "iam-analyser" / "bin" / "python"))
REASONS = ROOT / "devtools" / "iam-analyser" / "reasons.yml"
ACCOUNT = "123456789012"
# The GitHub environment each role trusts in live/local/github-oidc.
ROLE_ENVIRONMENTS = {
    "role_arn": "local",
    "push_role_arn": "local-images",
    "plan_role_arn": "local-plan",
}
ADMIN_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def test_every_call_of_every_job_is_allowed_by_its_role(deployment: Release) -> None:
    """The pipeline's first run made every resource but the roles, the image repositories and
    the secret; each of its calls is judged against the role its job assumed (policies,
    boundary, session policy)."""
    first = deployment.ensure()
    judgement = first.judgement
    denied = "\n".join(str(d) for d in judgement.denials)
    assert not judgement.denials, f"{len(judgement.denials)} call(s) denied:\n{denied}"
    calls = read_calls(deployment.emulator.call_log)
    by_session = Counter(
        c["principal"]["session"] for c in calls if "session" in c.get("principal", {})
    )
    for job in [*first.jobs.values(), first.plan]:
        for session in job.sessions:
            assert by_session[session] > 0, f"job {job.id}: no call of session {session}"
    for created in (
        "ec2:CreateVpc",
        "ecs:CreateService",
        "iam:CreateRole",
        "elasticloadbalancing:CreateLoadBalancer",
    ):
        assert created in judgement.actions, f"{created} was never judged: the pipeline made it?"


# --- the judge itself ------------------------------------------------------------------------


@dataclass
class Holder:
    """Someone holding a CI role: its clients, signed with the role's credentials."""

    role_arn: str
    session: Any
    emulator: Emulator

    @property
    def principal(self) -> dict[str, str]:
        return {
            "type": "AssumedRole",
            "arn": self.role_arn,
            "session": "attacker",
            "account": ACCOUNT,
        }

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.emulator.endpoint)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        return prepared_call(self.client(service), operation, self.principal, **params)


def holder(emulator: Emulator, roles: dict[str, str], output: str) -> Holder:
    credentials = assume_with_web_identity(
        emulator, REPOSITORY, roles[output], "attacker", ROLE_ENVIRONMENTS[output]
    )
    session = boto3.session.Session(
        aws_access_key_id=credentials["EMULATOR_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["EMULATOR_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["EMULATOR_SESSION_TOKEN"],
        region_name=REGION,
    )
    return Holder(roles[output], session, emulator)


def judged(emulator: Emulator, calls: list[dict[str, Any]]) -> Judgement:
    iam = emulator.client("iam")
    return judge(
        calls,
        lambda role: role_policies(iam, role),
        resource_policy_of=ResourcePolicies(emulator.client("kms"), emulator.client("s3")),
    )


def test_the_judge_allows_the_roles_rights_and_reports_what_is_outside_them(
    deployment: Release, emulator: Emulator
) -> None:
    """The judge can fail: the same call on the stack's service and on another's."""
    apply = holder(emulator, deployment.ensure().roles, "role_arn")
    own = apply.call("ecs", "describe_services", cluster=NAME, services=[NAME])
    other = apply.call("ecs", "describe_services", cluster="someone-else", services=["theirs"])
    judgement = judged(emulator, [own, other])
    assert judgement.calls == 2
    assert "ecs:DescribeServices" in judgement.actions
    [denial] = judgement.denials
    assert denial.call == 1
    assert denial.request.action == "ecs:DescribeServices"
    assert denial.request.resource == f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/someone-else/theirs"
    assert denial.role == apply.role_arn
    assert denial.decision == "ImplicitlyDenied"
    assert "ecs:DescribeServices on arn:aws:ecs" in str(denial)
    assert apply.role_arn in str(denial)


# --- escalation ----------------------------------------------------------------------------


def attempts(
    emulator: Emulator, who: Holder, roles: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """What an attacker holding `who`'s role would try; each attempt is the calls it makes."""
    compute = emulator.outputs("compute")
    secret = emulator.outputs("secrets")["secret_arn"]
    execution_role = compute["execution_role_arn"]
    own_image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{NAME}/app:feedbee"
    other_image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/someone-else/app:latest"
    container = {"name": "app", "essential": True, "memory": 256}
    return {
        "create a role without the boundary": [
            who.call(
                "iam",
                "create_role",
                RoleName=f"{NAME}-escape",
                AssumeRolePolicyDocument=ADMIN_POLICY,
            )
        ],
        "attach AdministratorAccess to a stack role": [
            who.call(
                "iam",
                "attach_role_policy",
                RoleName=execution_role.rsplit("/", 1)[1],
                PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
            )
        ],
        "a new default version of its own policy": [
            who.call(
                "iam",
                "create_policy_version",
                PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/{NAME}-github-deploy-read",
                PolicyDocument=ADMIN_POLICY,
                SetAsDefault=True,
            )
        ],
        "a new default version of the boundary": [
            who.call(
                "iam",
                "create_policy_version",
                PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/{NAME}-github-deploy-boundary",
                PolicyDocument=ADMIN_POLICY,
                SetAsDefault=True,
            )
        ],
        "write an API key (PutSecretValue)": [
            who.call(
                "secretsmanager", "put_secret_value", SecretId=secret, SecretString="x:" + "A" * 43
            )
        ],
        "read the API keys (GetSecretValue)": [
            who.call("secretsmanager", "get_secret_value", SecretId=secret)
        ],
        "delete a state object": [
            who.call("s3", "delete_object", Bucket=STATE_BUCKET, Key=state_key("networking"))
        ],
        "delete the roles unit's lock": [
            who.call(
                "s3", "delete_object", Bucket=STATE_BUCKET, Key=state_key("github-oidc") + ".tflock"
            )
        ],
        **(
            {}
            if who.role_arn == roles["role_arn"]
            else {
                # The apply role takes and frees its own units' locks; no other role may.
                "delete a running apply's lock": [
                    who.call(
                        "s3",
                        "delete_object",
                        Bucket=STATE_BUCKET,
                        Key=state_key("compute") + ".tflock",
                    )
                ],
                "plant a lock that blocks deploys": [
                    who.call(
                        "s3",
                        "put_object",
                        Bucket=STATE_BUCKET,
                        Key=state_key("compute") + ".tflock",
                        Body=b"{}",
                    )
                ],
            }
        ),
        "overwrite a state object": [
            who.call(
                "s3", "put_object", Bucket=STATE_BUCKET, Key=state_key("github-oidc"), Body=b"{}"
            )
        ],
        "a task definition with another execution role": [
            who.call(
                "ecs",
                "register_task_definition",
                family=NAME,
                executionRoleArn=roles["role_arn"],
                containerDefinitions=[{**container, "image": own_image}],
            )
        ],
        "a task definition with an image of another repository": [
            who.call(
                "ecs",
                "register_task_definition",
                family=NAME,
                executionRoleArn=execution_role,
                containerDefinitions=[{**container, "image": other_image}],
            ),
            # ECS pulls the image with the execution role: that is where another repository stops.
            prepared_call(
                emulator.session.client("ecr", endpoint_url=emulator.endpoint),
                "batch_get_image",
                {
                    "type": "AssumedRole",
                    "arn": execution_role,
                    "session": "ecs-agent",
                    "account": ACCOUNT,
                },
                repositoryName="someone-else/app",
                imageIds=[{"imageTag": "latest"}],
            ),
        ],
        "pass a role that is not the project's": [
            who.call(
                "ec2",
                "create_flow_logs",
                ResourceIds=["vpc-0123456789abcdef0"],
                ResourceType="VPC",
                TrafficType="ALL",
                LogGroupName=f"/vpc/{NAME}/flow-logs",
                DeliverLogsPermissionArn=roles["plan_role_arn"],
            )
        ],
    }


# Attempts moto can judge too: no policy of any CI role grants the action at all, so moto's
# evaluator (identity policies only, no conditions, no boundary) denies them as AWS does.
MOTO_JUDGES = (
    "attach AdministratorAccess to a stack role",
    "a new default version of its own policy",
    "write an API key (PutSecretValue)",
)


@contextmanager
def moto_checks_iam(emulator: Emulator) -> Iterator[None]:
    """moto's IAM check on (/moto-api/reset-auth), off again afterwards whatever happens."""
    url = f"{emulator.endpoint}/moto-api/reset-auth"
    assert requests.post(url, data="0", timeout=10).status_code == 200
    try:
        yield
    finally:
        requests.post(url, data="inf", timeout=10)


@pytest.mark.parametrize("output", ["role_arn", "push_role_arn", "plan_role_arn"])
def test_escalation_attempts_under_each_ci_role_are_denied(
    deployment: Release, emulator: Emulator, output: str, figures: dict[str, str]
) -> None:
    roles = deployment.ensure().roles
    who = holder(emulator, roles, output)
    tried = attempts(emulator, who, roles)
    calls = [call for chain in tried.values() for call in chain]
    judgement = judged(emulator, calls)
    denied_calls = {d.call for d in judgement.denials}
    index, outcome = 0, {}
    for attempt, chain in tried.items():
        span = set(range(index, index + len(chain)))
        index += len(chain)
        outcome[attempt] = sorted(str(d) for d in judgement.denials if d.call in span)
        assert span & denied_calls, f"{output}: '{attempt}' is allowed by the evaluator"
    assert not [d for d in judgement.denials if d.decision in ("Error", "Unmapped")], (
        judgement.denials
    )
    figures[f"escalation attempts denied ({output})"] = f"{len(tried)} of {len(tried)}"

    # moto, where it can judge: the same requests, sent, with its IAM check on.
    with moto_checks_iam(emulator):
        for attempt in MOTO_JUDGES:
            [call] = tried[attempt]
            response = requests.request(
                call["method"],
                f"{emulator.endpoint}{call['path']}"
                + (f"?{call['query']}" if call["query"] else ""),
                data=call["body"].encode(),
                headers=resend_headers(who, call),
                timeout=30,
            )
            assert response.status_code == 403, (attempt, response.status_code, response.text[:300])


def resend_headers(who: Holder, call: dict[str, Any]) -> dict[str, str]:
    """The call's headers, signed again (what prepared_call recorded leaves the signature out)."""
    from botocore.auth import SigV4Auth  # type: ignore[import-untyped]
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]

    url = f"{who.emulator.endpoint}{call['path']}" + (f"?{call['query']}" if call["query"] else "")
    request = AWSRequest(
        method=call["method"], url=url, data=call["body"].encode(), headers=dict(call["headers"])
    )
    credentials = who.session.get_credentials().get_frozen_credentials()
    SigV4Auth(credentials, call["signed"]["service"], REGION).add_auth(request)
    return dict(request.headers.items())


# --- the analyser --------------------------------------------------------------------------


def deployed_policies(emulator: Emulator) -> dict[str, Any]:
    """Every IAM policy the deploy made: the roles' inline ones and the account's own managed."""
    iam = emulator.client("iam")
    policies: dict[str, Any] = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            policies[f"role/{name}/{policy}"] = document
    for policy in iam.list_policies(Scope="Local")["Policies"]:
        version = iam.get_policy_version(
            PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"]
        )
        policies[policy["PolicyName"]] = version["PolicyVersion"]["Document"]
    return policies


def test_the_analyser_finds_nothing_without_a_written_reason(
    deployment: Release, emulator: Emulator
) -> None:
    deployment.ensure()
    policies = deployed_policies(emulator)
    assert any(name.endswith("-github-deploy-service") for name in policies), sorted(policies)
    scanned = subprocess.run(
        [str(ANALYSER), str(ROOT / "devtools" / "iam-analyser" / "scan.py")],
        input=json.dumps(policies),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    report: dict[str, dict[str, list[str]]] = json.loads(scanned.stdout)
    reasons = yaml.safe_load(REASONS.read_text())
    used: set[int] = set()
    unexplained = []
    for policy, findings in report.items():
        for kind, actions in findings.items():
            for action in actions:
                match = next(
                    (
                        i
                        for i, r in enumerate(reasons)
                        if fnmatch.fnmatchcase(policy, r["policy"])
                        and r["finding"] == kind
                        and any(fnmatch.fnmatchcase(action, a) for a in r["actions"])
                        and r.get("reason", "").strip()
                    ),
                    None,
                )
                if match is None:
                    unexplained.append(f"{policy}: {kind}: {action}")
                else:
                    used.add(match)
    assert not unexplained, "findings without a reason in reasons.yml:\n" + "\n".join(unexplained)
    stale = [r["policy"] + " " + r["finding"] for i, r in enumerate(reasons) if i not in used]
    assert not stale, f"reasons.yml explains findings the analyser no longer makes: {stale}"


# --- secrets stay out ------------------------------------------------------------------------


def every_key(emulator: Emulator) -> set[str]:
    """Every API key the secret ever held (all its versions)."""
    secrets = emulator.client("secretsmanager")
    secret = emulator.outputs("secrets")["secret_arn"]
    keys: set[str] = set()
    for version in secrets.list_secret_version_ids(SecretId=secret, IncludeDeprecated=True)[
        "Versions"
    ]:
        value = secrets.get_secret_value(SecretId=secret, VersionId=version["VersionId"])[
            "SecretString"
        ]
        keys |= {entry.partition(":")[2] for entry in value.split(",") if entry}
    return keys


def layer_texts(registry: Path) -> Iterator[tuple[str, bytes]]:
    """Every blob the registry standing in for ECR holds; gzip layers decompressed."""
    for blob in registry.rglob("data"):
        raw = blob.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        yield str(blob.relative_to(registry)), raw


def test_no_api_key_in_state_images_or_logs(deployment: Release, emulator: Emulator) -> None:
    """After the first deploy, a new release and a key rotation: the keys are in the secret
    and nowhere else. Read here: every version of every state object, every image layer, the
    tasks' logs, the emulator's log and call log, the runs' saved plans, every workflow step's
    output."""
    first = deployment.ensure()
    rotated = emulator.make(
        "rotate-key", "CLIENT=acme", extra_env=first.operator_credentials
    ).stdout
    assert re.search(r"^acme:\S{43}$", rotated, re.MULTILINE), "the operator saw the new key once"
    # The rotation redeployed the service (new tasks read the new key): let it settle, so the
    # tests after this one find the service as it was, two tasks.
    emulator.make("wait-deployed")
    settle_to_two_tasks(emulator)
    keys = every_key(emulator)
    assert first.smoke_api_key in keys
    assert len(keys) >= 3  # default, smoke, acme

    places: dict[str, bytes] = {}
    s3 = emulator.client("s3")
    for version in s3.list_object_versions(Bucket=STATE_BUCKET).get("Versions", []):
        body = s3.get_object(
            Bucket=STATE_BUCKET, Key=version["Key"], VersionId=version["VersionId"]
        )
        places[f"state s3://{STATE_BUCKET}/{version['Key']}@{version['VersionId']}"] = body[
            "Body"
        ].read()
    assert len(places) >= 6, sorted(places)  # the six units' state objects, at least
    registry = emulator.scratch / "run" / f"registry-{emulator.env['REGISTRY_PORT']}"
    layers = dict(layer_texts(registry))
    assert layers, f"no image layer under {registry}"
    places.update({f"image blob {name}": raw for name, raw in layers.items()})
    for pod in task_containers(emulator):
        logs = subprocess.run(
            [str(ROOT / "localenv" / "podman"), "logs", pod], capture_output=True, check=False
        )
        places[f"log of {pod}"] = logs.stdout + logs.stderr
    for log in (emulator.scratch / "run").glob("*.log"):  # the emulator's, the ECS agent's
        places[f"log {log.name}"] = log.read_bytes()
    places["call log"] = emulator.call_log.read_bytes()
    # The saved plans the runs kept as artifacts (binary plan files, their JSON and text).
    artifacts = emulator.scratch / "github" / "artifacts"
    plan_files = [p for p in artifacts.rglob("*") if p.is_file() and "/plans-" in str(p)]
    assert any(p.name == "tfplan.tfplan" for p in plan_files), f"no saved plan in {artifacts}"
    for plan_file in plan_files:
        name = f"artifact {plan_file.relative_to(artifacts)}"
        if zipfile.is_zipfile(plan_file):  # a saved plan is a zip: its members, uncompressed
            with zipfile.ZipFile(plan_file) as archive:
                for member in archive.namelist():
                    places[f"{name}:{member}"] = archive.read(member)
        else:
            places[name] = plan_file.read_bytes()
    for job in [*first.jobs.values(), first.plan]:
        for step in job.steps:
            places[f"job {job.id}, step {step.name}"] = step.output.encode()
    found = [
        f"{place} holds {key[:4]}..."
        for key in keys
        for place, text in places.items()
        if key.encode() in text
    ]
    assert not found, "\n".join(found)


def task_containers(emulator: Emulator) -> list[str]:
    """The containers of the service's tasks (every container of each task's pod)."""
    podman = str(ROOT / "localenv" / "podman")
    lb_port = emulator.env["LB_PORT"]

    def names(*args: str) -> list[str]:
        listed = subprocess.run([podman, *args], capture_output=True, text=True, check=True)
        return listed.stdout.split()

    pods = names(
        "pod", "ps", "--filter", f"label=sumapi.localecs.lb={lb_port}", "--format", "{{.Name}}"
    )
    containers = [
        c
        for pod in pods
        for c in names("ps", "-a", "--filter", f"pod={pod}", "--format", "{{.Names}}")
    ]
    assert containers, "no task container to read the logs of"
    return [c for c in containers if not c.endswith("-infra")]


def settle_to_two_tasks(emulator: Emulator, timeout: float = 180.0) -> None:
    """Waits until the replaced tasks are drained and stopped (the agent drains for 30 s)."""
    deadline = time.monotonic() + timeout
    while len(task_pods_of(emulator)) != 2:
        assert time.monotonic() < deadline, task_pods_of(emulator)
        time.sleep(2)


def task_pods_of(emulator: Emulator) -> list[str]:
    listed = subprocess.run(
        [
            str(ROOT / "localenv" / "podman"),
            "pod",
            "ps",
            "--filter",
            f"label=sumapi.localecs.lb={emulator.env['LB_PORT']}",
            "--format",
            "{{.Name}}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()
