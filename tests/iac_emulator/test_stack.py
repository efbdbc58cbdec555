"""The whole infrastructure cycle on a private emulator, through the make targets.

Apply from empty, check the deployed properties with boto3, re-plan (must be empty), a targeted
deploy, the key tool, destroy. No test needs the one before it: each gets the deployed stack
from the `deployment` fixture (tests/iac_emulator/conftest.py), deployed when a test first needs
it; a test that changes the stack restores it, and after the destroy the next test that needs
the stack gets a new deploy from empty. In file order the stack is deployed once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.harness import ROOT
from tests.harness.emulator import (
    NAME,
    STATE_BUCKET,
    UNITS,
    Emulator,
    private_emulator,
    state_key,
)
from tests.iac_emulator.stack import Stack

# A diagnostic of tofu's (a deprecation, an argument the provider ignores...): the stack
# applies and re-plans without any.
TOFU_WARNING = re.compile(r"^[│ ]*Warning: .*$", re.MULTILINE)
KEY_LINE = re.compile(r"^([a-z0-9-]{1,32}):([A-Za-z0-9_-]{32,128})$", re.MULTILINE)
# What OpenTofu writes into a lock object (statemgr.LockInfo).
FOREIGN_LOCK = {
    "ID": "00000000-0000-0000-0000-000000000000",
    "Operation": "OperationTypeApply",
    "Info": "",
    "Who": "someone@elsewhere",
    "Version": "1.10.10",
    "Created": "2026-01-01T00:00:00Z",
    "Path": "",
}
EXPECTED_UNITS = {
    "networking",
    "registry",
    "secrets",
    "prometheus",
    "compute",
    "observability",
    "github-oidc",
    "waf",
}
RULES_DIR = ROOT / "monitoring" / "rules"


def managed_resources(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in state.get("resources", []) if r.get("mode") == "managed"]


def secret_entries(emulator: Emulator) -> list[tuple[str, str]]:
    secret_arn = emulator.outputs("secrets")["secret_arn"]
    value = emulator.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    pairs = [entry.partition(":") for entry in value.split(",")]
    return [(client, key) for client, _, key in pairs]


def deployment_id(emulator: Emulator) -> str:
    compute = emulator.outputs("compute")
    service = emulator.client("ecs").describe_services(
        cluster=compute["cluster_name"], services=[compute["service_name"]]
    )["services"][0]
    return str(service["deployments"][0]["id"])


def test_live_tree_has_every_unit() -> None:
    assert set(UNITS) == EXPECTED_UNITS


def test_plan_never_creates_the_state_bucket(tmp_path: Path) -> None:
    """Only `make backend-bootstrap` creates it; a plan without it stops in one line. On an
    emulator of its own: the suite's is empty only until a test needs the stack."""
    with private_emulator(tmp_path) as fresh:
        s3 = fresh.client("s3")
        result = fresh.make("plan", "MODULE=registry", check=False)
        assert result.returncode != 0
        lines = [line for line in result.stderr.splitlines() if line.startswith("state-bucket:")]
        assert lines == [
            f"state-bucket: the state bucket {STATE_BUCKET} does not exist: an operator creates "
            "it once with `make backend-bootstrap ENV=local` (docs/runbook.md#first-deploy)"
        ], result.stderr
        assert not [b for b in s3.list_buckets()["Buckets"] if b["Name"] == STATE_BUCKET]


def test_apply_all_units_from_empty(deployment: Stack, emulator: Emulator) -> None:
    first = deployment.ensure()
    assert STATE_BUCKET not in first.buckets_before
    result = first.result

    s3 = emulator.client("s3")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=STATE_BUCKET).get("Contents", []))
    # S3 lock files: every lock taken was released (no <key>.tflock left), no lock table.
    assert keys == sorted(state_key(unit) for unit in UNITS), "exactly one state object per unit"
    assert emulator.client("dynamodb").list_tables()["TableNames"] == []
    versioning = s3.get_bucket_versioning(Bucket=STATE_BUCKET)
    assert versioning.get("Status") == "Enabled"
    assert s3.get_bucket_encryption(Bucket=STATE_BUCKET)["ServerSideEncryptionConfiguration"]

    counts = {unit: len(managed_resources(emulator.state(unit))) for unit in UNITS}
    assert all(counts.values()), counts
    assert not TOFU_WARNING.findall(result.stdout + result.stderr)
    emulator.figures["resources (managed, per unit)"] = ", ".join(
        f"{u} {n}" for u, n in counts.items()
    )
    instances = sum(
        len(r["instances"]) for u in UNITS for r in managed_resources(emulator.state(u))
    )
    emulator.figures["resources (managed, total)"] = (
        f"{sum(counts.values())} ({instances} instances)"
    )

    # seed-key (the operator's step) shows the first key once, in full, to the operator.
    shown = KEY_LINE.findall(result.stdout)
    assert len(shown) == 1, "the seeded key is printed exactly once"
    assert secret_entries(emulator) == [shown[0]]


@pytest.mark.usefixtures("deployed")
def test_deployed_properties(emulator: Emulator) -> None:
    net, sec, comp, obs = (
        emulator.outputs(u) for u in ("networking", "secrets", "compute", "observability")
    )
    ec2 = emulator.client("ec2")

    # Tasks are reachable from the ALB security group only, on the gateway port only.
    tasks_sg = ec2.describe_security_groups(GroupIds=[net["tasks_security_group_id"]])
    rules = tasks_sg["SecurityGroups"][0]["IpPermissions"]
    assert len(rules) == 1, rules
    rule = rules[0]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 8080, 8080)
    assert [p["GroupId"] for p in rule["UserIdGroupPairs"]] == [net["alb_security_group_id"]]
    assert not rule.get("IpRanges")
    assert not rule.get("Ipv6Ranges")
    assert not rule.get("PrefixListIds")

    # The target group checks readiness through nginx.
    elbv2 = emulator.client("elbv2")
    tg = elbv2.describe_target_groups(TargetGroupArns=[comp["target_group_arn"]])
    target_group = tg["TargetGroups"][0]
    assert target_group["HealthCheckPath"] == "/readyz"
    assert target_group["Port"] == 8080
    assert target_group["TargetType"] == "ip"

    # Two containers (the emulator's compute runs no collector, workspace or not); only nginx
    # is reachable (the app listens on localhost).
    ecs = emulator.client("ecs")
    task = ecs.describe_task_definition(taskDefinition=comp["task_definition_arn"])
    containers = task["taskDefinition"]["containerDefinitions"]
    assert [c["name"] for c in containers] == ["app", "nginx"]
    task_role = comp["task_role_arn"].rsplit("/", 1)[-1]
    assert emulator.client("iam").list_role_policies(RoleName=task_role)["PolicyNames"] == []
    exposed = [c for c in containers if c.get("portMappings")]
    assert [c["name"] for c in exposed] == [c["name"] for c in containers if "nginx" in c["name"]]
    assert [m["containerPort"] for m in exposed[0]["portMappings"]] == [8080]
    api_keys = [s for c in exposed for s in c.get("secrets", []) if s["name"] == "API_KEYS"]
    assert [s["valueFrom"] for s in api_keys] == [sec["secret_arn"]]

    # The secret is encrypted with the module's CMK, which rotates.
    kms = emulator.client("kms")
    secret = emulator.client("secretsmanager").describe_secret(SecretId=sec["secret_arn"])
    cmk = kms.describe_key(KeyId=sec["kms_key_arn"])["KeyMetadata"]
    assert kms.describe_key(KeyId=secret["KmsKeyId"])["KeyMetadata"]["Arn"] == cmk["Arn"]
    assert cmk["KeyManager"] == "CUSTOMER"
    assert kms.get_key_rotation_status(KeyId=cmk["KeyId"])["KeyRotationEnabled"]

    # ALB access logs go to the compute unit's own bucket: SSE-S3, private, TLS only, expiring.
    bucket = comp["alb_access_logs_bucket"]
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=comp["alb_arn"])[
            "Attributes"
        ]
    }
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == bucket == f"{NAME}-alb-logs-123456789012"
    s3 = emulator.client("s3")
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules] == ["AES256"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [(r["Status"], r["Expiration"]["Days"]) for r in lifecycle] == [("Enabled", 7)]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    statements = {st["Sid"]: st for st in policy["Statement"]}
    deny = statements["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"]["Bool"]["aws:SecureTransport"] in ("false", ["false"])
    assert statements["ElbAccountWritesAccessLogs"]["Principal"] == {
        "AWS": "arn:aws:iam::127311923021:root"  # us-east-1's ELB log delivery account
    }
    assert statements["ElbServiceWritesAccessLogs"]["Principal"] == {
        "Service": "logdelivery.elasticloadbalancing.amazonaws.com"
    }

    # No HTTPS, no domain on the emulator: the URL is plain HTTP on the ALB's name.
    assert comp["url"] == f"http://{comp['alb_dns_name']}"

    # Every alarm but the deployment's notifies the topic; the deployment's roll back a
    # deployment of the service (with the circuit breaker), as ECS describes the service.
    alarms = emulator.client("cloudwatch").describe_alarms(AlarmNamePrefix=NAME)
    all_alarms = alarms["MetricAlarms"] + alarms.get("CompositeAlarms", [])
    deployment_alarms = sorted(comp["deployment_alarm_names"])
    paging = [a for a in all_alarms if a["AlarmName"] not in deployment_alarms]
    assert len(paging) >= 5, [a["AlarmName"] for a in all_alarms]
    assert sorted(a["AlarmArn"] for a in paging) == sorted(obs["alarm_arns"].values())
    for alarm in paging:
        assert alarm["AlarmActions"] == [obs["sns_topic_arn"]], alarm["AlarmName"]
    rolling_back = [a for a in all_alarms if a["AlarmName"] in deployment_alarms]
    assert sorted(a["AlarmName"] for a in rolling_back) == deployment_alarms
    assert all(a["AlarmActions"] == [] for a in rolling_back), "rolling back is their action"
    [service] = ecs.describe_services(
        cluster=comp["cluster_name"], services=[comp["service_name"]]
    )["services"]
    config = service["deploymentConfiguration"]
    assert config["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert sorted(config["alarms"]["alarmNames"]) == deployment_alarms
    assert (config["alarms"]["enable"], config["alarms"]["rollback"]) == (True, True)
    assert (config["minimumHealthyPercent"], config["maximumPercent"]) == (100, 200)
    assert task["taskDefinition"]["runtimePlatform"] == {
        "cpuArchitecture": "X86_64",
        "operatingSystemFamily": "LINUX",
    }

    # The scalable target carries the default tags (provider 5.x tags it).
    autoscaling = emulator.client("application-autoscaling")
    [target] = autoscaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    tags = autoscaling.list_tags_for_resource(ResourceARN=target["ScalableTargetARN"])["Tags"]
    assert tags["TerragruntUnit"] == "live/local/compute", tags


@pytest.mark.usefixtures("deployed")
def test_the_workspace_evaluates_the_tested_rules_and_pages_through_the_topic(
    emulator: Emulator,
) -> None:
    """The prometheus unit's namespaces are monitoring/rules byte for byte; observability's
    alert manager definition sends to its topic, which lets that workspace publish."""
    workspace_id = emulator.outputs("prometheus")["workspace_id"]
    workspace_arn = emulator.outputs("prometheus")["workspace_arn"]
    topic_arn = emulator.outputs("observability")["sns_topic_arn"]
    amp = emulator.client("amp")
    listed = amp.list_rule_groups_namespaces(workspaceId=workspace_id)["ruleGroupsNamespaces"]
    loaded = {
        n["name"]: bytes(
            amp.describe_rule_groups_namespace(workspaceId=workspace_id, name=n["name"])[
                "ruleGroupsNamespace"
            ]["data"]
        )
        for n in listed
    }
    files = {
        p.name.removesuffix(".rules.yml"): p.read_bytes() for p in RULES_DIR.glob("*.rules.yml")
    }
    assert files
    assert loaded == files

    definition = amp.describe_alert_manager_definition(workspaceId=workspace_id)[
        "alertManagerDefinition"
    ]
    assert definition["status"]["statusCode"] == "ACTIVE"
    config = yaml.safe_load(yaml.safe_load(bytes(definition["data"]))["alertmanager_config"])
    [receiver] = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    assert [c["topic_arn"] for c in receiver["sns_configs"]] == [topic_arn]

    policy = json.loads(
        emulator.client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"]
    )
    [aps] = [
        st for st in policy["Statement"] if st["Principal"] == {"Service": "aps.amazonaws.com"}
    ]
    assert aps["Condition"]["ArnEquals"]["aws:SourceArn"] == workspace_arn


@pytest.mark.usefixtures("deployed")
def test_second_plan_shows_no_changes(emulator: Emulator) -> None:
    result = emulator.timed_make(
        "plan, all units, no changes (make plan)",
        "plan",
        "PLAN_ARGS=-detailed-exitcode",
        check=False,
    )
    report = f"{result.stdout[-8000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"a re-plan wants changes (exit {result.returncode}):\n{report}"
    assert result.stdout.count("No changes.") == len(UNITS), report
    assert not TOFU_WARNING.findall(result.stdout + result.stderr)


@pytest.mark.usefixtures("deployed")
def test_every_unit_links_the_provider_binary_never_copies_it(emulator: Emulator) -> None:
    """The 700 MB provider: each unit's .terraform/providers entry is a link to the mirror
    (make tools), which links the machine's package."""
    cache = Path(emulator.env["TG_DOWNLOAD_DIR"])
    installed = list(
        cache.glob("*/*/*/.terraform/providers/registry.opentofu.org/hashicorp/aws/*/*")
    )
    packages = [p for p in installed if not p.name.endswith(".lock")]
    assert len({p.parents[6].name for p in packages}) == len(UNITS), packages
    assert all(p.is_symlink() for p in packages), [p for p in packages if not p.is_symlink()]
    binaries = {next(p.resolve().glob("terraform-provider-aws_*")).stat().st_ino for p in packages}
    assert len(binaries) == 1, "every unit runs the one binary"


def terragrunt_env(emulator: Emulator) -> dict[str, str]:
    """The environment make gives Terragrunt on this emulator (INFRA_ENV, DEPLOY_ENV: `env`
    arguments), for running terragrunt as a pipeline types it."""
    printed = emulator.make(
        "-s", "--eval=print-env: ; @echo $(INFRA_ENV) $(DEPLOY_ENV)", "print-env"
    ).stdout.split()
    env = dict(emulator.env)
    words = iter(printed)
    for word in words:
        if word == "-u":
            env.pop(next(words), None)
        else:
            name, _, value = word.partition("=")
            env[name] = value
    return env


@pytest.mark.usefixtures("deployed")
def test_the_run_all_spelling_plans_every_unit_with_no_changes(emulator: Emulator) -> None:
    """Pipelines type Terragrunt 0.89's `run-all` (0.90 removed it; make uses `run --all`)."""
    result = subprocess.run(
        [
            os.environ["TERRAGRUNT"],
            "run-all",
            "plan",
            "--working-dir",
            "live/local",
            "-input=false",
        ],
        cwd=ROOT,
        env=terragrunt_env(emulator),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = f"{result.stdout[-8000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, report
    assert "run-all plan` command is deprecated" in result.stderr, "the old spelling ran"
    assert result.stdout.count("No changes.") == len(UNITS), report


@pytest.mark.usefixtures("deployed")
def test_a_held_state_lock_stops_a_second_run(emulator: Emulator) -> None:
    """S3 native locking on the emulator: a lock object written by someone else blocks."""
    s3 = emulator.client("s3")
    lock_key = f"{state_key('observability')}.tflock"
    s3.put_object(Bucket=STATE_BUCKET, Key=lock_key, Body=json.dumps(FOREIGN_LOCK).encode())
    try:
        held = emulator.make("plan", "MODULE=observability", check=False)
    finally:
        s3.delete_object(Bucket=STATE_BUCKET, Key=lock_key)
    assert held.returncode != 0
    assert "Error acquiring the state lock" in held.stdout + held.stderr
    emulator.make("plan", "MODULE=observability")


@pytest.mark.usefixtures("deployed")
def test_deploy_role_policies_match_the_live_tree(emulator: Emulator) -> None:
    """The apply role may write the state of every unit CI applies, and of nothing else."""
    iam = emulator.client("iam")
    apply_role = f"{NAME}-github-deploy"
    document = iam.get_role_policy(RoleName=apply_role, PolicyName="deploy-service-state")
    statements = document["PolicyDocument"]["Statement"]
    writes = next(s for s in statements if s.get("Sid") == "StateWriteOwnUnits")
    ci_units = sorted(u for u in UNITS if u != "github-oidc")
    assert sorted(writes["Resource"]) == sorted(
        f"arn:aws:s3:::{STATE_BUCKET}/{state_key(u)}" for u in ci_units
    )
    boundary = emulator.outputs("github-oidc")["boundary_policy_arn"]
    for role in (apply_role, f"{apply_role}-push", f"{apply_role}-plan"):
        carried = iam.get_role(RoleName=role)["Role"]["PermissionsBoundary"]
        assert carried["PermissionsBoundaryArn"] == boundary, role


def alarm_threshold(emulator: Emulator, alarm: str) -> float:
    name = emulator.outputs("observability")["alarm_names"][alarm]
    [found] = emulator.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return float(found["Threshold"])


def test_targeted_deploy_changes_only_its_unit(deployment: Stack, emulator: Emulator) -> None:
    with deployment.changing():
        before = emulator.state_heads()
        threshold = alarm_threshold(emulator, "app_errors")
        assert threshold != 3, "the override below would change nothing"
        try:
            # A real input change of one unit; TF_VAR_* from the caller wins over terragrunt
            # inputs.
            emulator.timed_make(
                "targeted deploy, MODULE=observability",
                "deploy",
                "MODULE=observability",
                extra_env={"TF_VAR_app_error_logs_threshold": "3"},
            )
            after = emulator.state_heads()
            changed = sorted(unit for unit in UNITS if before[unit] != after[unit])
            assert changed == ["observability"]
            assert alarm_threshold(emulator, "app_errors") == 3
        finally:
            # The stack as the test found it, for the tests after this one (the re-plan).
            emulator.make("deploy", "MODULE=observability")
        assert alarm_threshold(emulator, "app_errors") == threshold


def test_key_rotation(deployment: Stack, emulator: Emulator) -> None:
    with deployment.changing():
        seeded = secret_entries(emulator)
        service_deployment = deployment_id(emulator)

        added = emulator.make("rotate-key", "CLIENT=alice")
        shown = KEY_LINE.findall(added.stdout)
        assert len(shown) == 1
        assert shown[0][0] == "alice"
        first_key = shown[0][1]
        assert secret_entries(emulator) == [*seeded, ("alice", first_key)]
        assert deployment_id(emulator) != service_deployment, "a new ECS deployment was forced"
        service_deployment = deployment_id(emulator)

        rotated = emulator.make("rotate-key", "CLIENT=alice")
        second_key = KEY_LINE.findall(rotated.stdout)[0][1]
        assert secret_entries(emulator) == [*seeded, ("alice", first_key), ("alice", second_key)]

        listed = emulator.make("list-keys")
        assert listed.stdout.count("alice ") == 2
        for _, key in secret_entries(emulator):
            assert key not in listed.stdout, "list never prints a full key"
            assert key[:8] not in listed.stdout

        emulator.make("retire-key", "CLIENT=alice")
        assert secret_entries(emulator) == [*seeded, ("alice", second_key)], "the newest key stays"
        assert deployment_id(emulator) != service_deployment

        lone = emulator.make("retire-key", "CLIENT=alice", check=False)
        assert lone.returncode != 0
        assert "only one key" in lone.stderr
        emulator.make("retire-key", "CLIENT=alice", "ALL=1")
        assert secret_entries(emulator) == seeded

        in_ci = emulator.make("rotate-key", "CLIENT=ci-bot", extra_env={"CI": "true"}, check=False)
        assert in_ci.returncode != 0
        assert "operator's terminal" in in_ci.stderr
        assert secret_entries(emulator) == seeded, "CI cannot mint a key it would have to print"

        for bad in ("retire-key CLIENT=nobody", "rotate-key CLIENT=Not_Valid"):
            failed = emulator.make(*bad.split(), check=False)
            assert failed.returncode != 0
            assert not KEY_LINE.search(failed.stdout + failed.stderr)


def push_image(emulator: Emulator, repository: str, tag: str) -> None:
    """An image manifest in the emulator's ECR, as `docker push` to a real account leaves."""
    config = json.dumps({"architecture": "amd64", "os": "linux", "repository": repository})
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": len(config),
            "digest": "sha256:" + hashlib.sha256(config.encode()).hexdigest(),
        },
        "layers": [],
    }
    emulator.client("ecr").put_image(
        repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag
    )


def test_destroy_removes_everything(deployment: Stack, emulator: Emulator) -> None:
    deployment.ensure()
    try:
        # What stops a real destroy: images in the repositories (ECR refuses to delete a
        # non-empty one; the repositories' force_delete deletes them) and a protected ALB
        # (`make destroy UNPROTECT=1` lifts it). Both are set up here; the destroy must finish.
        ecr = emulator.client("ecr")
        repositories = sorted(emulator.outputs("registry")["repository_names"].values())
        for repository in repositories:
            push_image(emulator, repository, "0123456789abcdef0123456789abcdef01234567")
            assert ecr.list_images(repositoryName=repository)["imageIds"], repository
        alb_arn = emulator.outputs("compute")["alb_arn"]
        elbv2 = emulator.client("elbv2")
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=alb_arn,
            Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}],
        )

        result = emulator.timed_make(
            "destroy, all units (make destroy UNPROTECT=1)", "destroy", "UNPROTECT=1"
        )

        assert re.search(r"enable_deletion_protection\s*=\s*true\s*->\s*false", result.stdout), (
            "UNPROTECT=1 lifts the ALB's deletion protection before the destroy"
        )
        # The service is gone, so are its tasks (the local ECS runner's pods).
        pods = subprocess.run(
            [
                str(ROOT / "localenv" / "podman"),
                "pod",
                "ps",
                "-q",
                "--filter",
                f"label=sumapi.localecs.lb={emulator.env['LB_PORT']}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert pods == []

        for unit in UNITS:
            assert managed_resources(emulator.state(unit)) == [], unit

        ec2 = emulator.client("ec2")
        assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
        assert (
            ec2.describe_nat_gateways(
                Filter=[{"Name": "state", "Values": ["available", "pending"]}]
            )["NatGateways"]
            == []
        )
        assert [a for a in ec2.describe_addresses()["Addresses"]] == []
        ecs = emulator.client("ecs")
        clusters = ecs.describe_clusters(clusters=[NAME])["clusters"]
        assert all(c["status"] == "INACTIVE" for c in clusters)
        assert elbv2.describe_load_balancers()["LoadBalancers"] == []
        assert elbv2.describe_target_groups()["TargetGroups"] == []
        assert ecr.describe_repositories()["repositories"] == []
        assert emulator.client("amp").list_workspaces()["workspaces"] == []
        assert emulator.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] == []
        assert (
            emulator.client("budgets").describe_budgets(AccountId="123456789012").get("Budgets", [])
            == []
        )
        assert emulator.client("logs").describe_resource_policies()["resourcePolicies"] == []
        buckets = [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]]
        assert buckets == [STATE_BUCKET], "the access-log bucket went with the ALB"
        assert emulator.client("secretsmanager").list_secrets()["SecretList"] == []
        keys = emulator.client("kms").list_keys()["Keys"]
        states = {
            emulator.client("kms").describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]
            for k in keys
        }
        assert states <= {"PendingDeletion"}, "a CMK is only scheduled for deletion, as on AWS"
        assert emulator.client("cloudwatch").describe_alarms()["MetricAlarms"] == []
        assert emulator.client("sns").list_topics()["Topics"] == []
        groups = emulator.client("logs").describe_log_groups()["logGroups"]
        assert [g["logGroupName"] for g in groups] == []
        iam = emulator.client("iam")
        assert [r["RoleName"] for r in iam.list_roles()["Roles"] if NAME in r["RoleName"]] == []
        assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
        scalable = emulator.client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs"
        )
        assert scalable["ScalableTargets"] == []
    finally:
        # Gone, or half gone if the destroy failed: the next test that needs it deploys again.
        deployment.gone()
