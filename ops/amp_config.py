"""Loads monitoring/rules into the Amazon Managed Service for Prometheus workspace, and the
alert manager definition that routes its alerts to the observability unit's SNS topic.

Why a step and not Terraform: provider 3.39 (the one proven here) has aws_prometheus_workspace
but neither aws_prometheus_rule_group_namespace nor aws_prometheus_alert_manager_definition
(later 3.x releases added both; with such a provider they would replace this step). `make
deploy` runs it after the apply of the prometheus or observability unit, or of all units.

Idempotent and convergent: each `<name>.rules.yml` of the rules directory is the namespace
`<name>`, created when missing, replaced when its bytes differ, left alone when equal; a
namespace of the workspace that no file names any more is deleted (the files, unit-tested by
promtool, are the only source). The alert manager definition likewise.

Ordering: the rules need only the workspace. The alert manager definition needs the topic,
which observability (applied after compute, after prometheus) creates; while it does not exist
yet the step says so and loads the rules only, and the next deploy of observability loads it.
On the emulator the alert manager is skipped: moto has no alert manager API.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ops import units

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "monitoring" / "rules"
RULES_SUFFIX = ".rules.yml"
# AMP's rule groups namespace names: 1-64 characters, no leading punctuation.
NAMESPACE_NAME = re.compile(r"^[0-9A-Za-z][-.0-9A-Za-z_]{0,63}$")
SETTLED = {"ACTIVE"}
FAILED = {"CREATION_FAILED", "UPDATE_FAILED"}
WAIT_SECONDS = 120.0
POLL_SECONDS = 2.0


class AmpConfigError(Exception):
    """A failure the operator can act on; printed as one line."""


def rule_files(rules_dir: Path) -> dict[str, bytes]:
    """Namespace name -> rules file bytes, one per <name>.rules.yml."""
    files: dict[str, bytes] = {}
    for path in sorted(rules_dir.glob(f"*{RULES_SUFFIX}")):
        name = path.name[: -len(RULES_SUFFIX)]
        if not NAMESPACE_NAME.match(name):
            raise AmpConfigError(
                f"{path}: {name!r} is not a valid AMP namespace name "
                "(1-64 of [-.0-9A-Za-z_], starting with a letter or digit): rename the file"
            )
        files[name] = path.read_bytes()
    if not files:
        raise AmpConfigError(f"no *{RULES_SUFFIX} in {rules_dir}: nothing would be evaluated")
    return files


def _wait(describe: Any, what: str) -> None:
    """Waits until describe() reports a settled status; AMP applies changes asynchronously."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        status = describe()["status"]
        code = status.get("statusCode", "")
        if code in SETTLED:
            return
        if code in FAILED:
            raise AmpConfigError(f"{what}: {code}: {status.get('statusReason', 'no reason given')}")
        if time.monotonic() > deadline:
            raise AmpConfigError(f"{what}: still {code} after {WAIT_SECONDS:.0f}s")
        time.sleep(POLL_SECONDS)


def _not_found(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ResourceNotFoundException")


def load_rules(client: Any, workspace_id: str, files: dict[str, bytes]) -> list[str]:
    """Makes the workspace's namespaces equal to `files`; one report line per namespace."""
    report = []
    for name, data in files.items():
        try:
            current = client.describe_rule_groups_namespace(workspaceId=workspace_id, name=name)
        except ClientError as error:
            if not _not_found(error):
                raise
            client.create_rule_groups_namespace(workspaceId=workspace_id, name=name, data=data)
            action = "created"
        else:
            if bytes(current["ruleGroupsNamespace"]["data"]) == data:
                report.append(f"rules {name}: unchanged")
                continue
            client.put_rule_groups_namespace(workspaceId=workspace_id, name=name, data=data)
            action = "updated"
        _wait(
            lambda n=name: client.describe_rule_groups_namespace(workspaceId=workspace_id, name=n)[
                "ruleGroupsNamespace"
            ],
            f"rules {name}",
        )
        report.append(f"rules {name}: {action}")
    listed = client.list_rule_groups_namespaces(workspaceId=workspace_id)["ruleGroupsNamespaces"]
    for stale in sorted({n["name"] for n in listed} - set(files)):
        client.delete_rule_groups_namespace(workspaceId=workspace_id, name=stale)
        report.append(f"rules {stale}: deleted (no {stale}{RULES_SUFFIX} any more)")
    return report


def alert_manager_definition(topic_arn: str, region: str) -> bytes:
    """Every alert to the topic, grouped per alert and severity; the page/ticket split is the
    rules' `severity` label, which the subject carries."""
    return (
        "alertmanager_config: |\n"
        "  route:\n"
        "    receiver: sns\n"
        "    group_by: [alertname, severity]\n"
        "    group_wait: 30s\n"
        "    group_interval: 5m\n"
        "    repeat_interval: 4h\n"
        "  receivers:\n"
        "    - name: sns\n"
        "      sns_configs:\n"
        f"        - topic_arn: {topic_arn}\n"
        "          sigv4:\n"
        f"            region: {region}\n"
        "          subject: '[{{ .CommonLabels.severity }}] {{ .CommonLabels.alertname }}'\n"
        "          attributes:\n"
        "            source: amp\n"
    ).encode()


def load_alert_manager(client: Any, workspace_id: str, data: bytes) -> str:
    try:
        current = client.describe_alert_manager_definition(workspaceId=workspace_id)
    except ClientError as error:
        if not _not_found(error):
            raise
        client.create_alert_manager_definition(workspaceId=workspace_id, data=data)
        action = "created"
    else:
        if bytes(current["alertManagerDefinition"]["data"]) == data:
            return "alert manager: unchanged"
        client.put_alert_manager_definition(workspaceId=workspace_id, data=data)
        action = "updated"
    _wait(
        lambda: client.describe_alert_manager_definition(workspaceId=workspace_id)[
            "alertManagerDefinition"
        ],
        "alert manager",
    )
    return f"alert manager: {action}"


def emulated(live_dir: Path) -> bool:
    """`emulated = true` in <live-dir>/env.hcl (the emulator's environment)."""
    env = live_dir / "env.hcl"
    if not env.is_file():
        raise AmpConfigError(f"{env} is missing: copy {env}.example (if any) and fill it in")
    return bool(re.search(r"^\s*emulated\s*=\s*true\b", env.read_text(), re.M))


def run(args: argparse.Namespace) -> list[str]:
    live_dir = Path(args.live_dir)
    prometheus = units.outputs(args.terragrunt, live_dir / "prometheus")
    if not prometheus.get("enabled") or not prometheus.get("workspace_id"):
        return ["workspace disabled or not applied (prometheus.enabled): nothing to load"]
    workspace_id = str(prometheus["workspace_id"])
    region = str(prometheus["workspace_arn"]).split(":")[3]
    client = boto3.client("amp", region_name=region)
    report = [f"workspace {workspace_id}"]
    report += load_rules(client, workspace_id, rule_files(Path(args.rules_dir)))
    if emulated(live_dir):
        report.append("alert manager: skipped on the emulator (moto has no alert manager API)")
        return report
    topic_arn = units.outputs(args.terragrunt, live_dir / "observability").get("sns_topic_arn")
    if not topic_arn:
        report.append(
            "alert manager: the observability unit is not applied yet (no SNS topic); "
            "it is loaded by the next `make deploy` of observability"
        )
        return report
    report.append(
        load_alert_manager(client, workspace_id, alert_manager_definition(topic_arn, region))
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--live-dir", required=True, help="live/<env>")
    parser.add_argument("--terragrunt", default="terragrunt", help="terragrunt binary")
    parser.add_argument("--rules-dir", default=str(RULES_DIR), help="directory of *.rules.yml")
    args = parser.parse_args(argv)
    try:
        for line in run(args):
            print(f"amp-config: {line}", flush=True)
    except (AmpConfigError, units.UnitError) as error:
        print(f"amp-config: {error}", file=sys.stderr)
        return 1
    except ClientError as error:
        print(f"amp-config: AMP refused: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
