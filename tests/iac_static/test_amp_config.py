"""ops.amp_config against moto's AMP (in process): the rules step is idempotent and convergent.

The provider cannot create a workspace on the emulator (3.39 has no AMP endpoint override),
so the workspace here is made with boto3, as the prometheus unit makes it on AWS.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
import yaml  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]
from moto import mock_aws

from ops import amp_config, units
from ops.amp_config import (
    AmpConfigError,
    alert_manager_definition,
    load_alert_manager,
    load_rules,
    rule_files,
)
from tests.harness import ROOT

TOPIC = "arn:aws:sns:eu-west-1:123456789012:sumapi-dev-alarms"


@pytest.fixture
def amp(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("amp", region_name="eu-west-1")
        workspace = client.create_workspace(alias="sumapi-test")["workspaceId"]
        yield client, workspace


def namespaces(client: Any, workspace: str) -> dict[str, bytes]:
    listed = client.list_rule_groups_namespaces(workspaceId=workspace)["ruleGroupsNamespaces"]
    return {
        n["name"]: bytes(
            client.describe_rule_groups_namespace(workspaceId=workspace, name=n["name"])[
                "ruleGroupsNamespace"
            ]["data"]
        )
        for n in listed
    }


def test_the_tested_rules_are_loaded_byte_for_byte_then_left_alone(amp: tuple[Any, str]) -> None:
    client, workspace = amp
    files = rule_files(ROOT / "monitoring" / "rules")
    assert "sumapi-slo" in files

    assert load_rules(client, workspace, files) == [f"rules {n}: created" for n in files]
    assert namespaces(client, workspace) == files
    assert load_rules(client, workspace, files) == [f"rules {n}: unchanged" for n in files]


def test_a_changed_file_replaces_its_namespace_and_a_removed_one_goes(
    amp: tuple[Any, str], tmp_path: Path
) -> None:
    client, workspace = amp
    (tmp_path / "a.rules.yml").write_text("groups: []\n")
    (tmp_path / "b.rules.yml").write_text("groups: []\n")
    load_rules(client, workspace, rule_files(tmp_path))

    (tmp_path / "a.rules.yml").write_text("groups:\n  - name: a\n    rules: []\n")
    (tmp_path / "b.rules.yml").unlink()
    report = load_rules(client, workspace, rule_files(tmp_path))

    assert report == ["rules a: updated", "rules b: deleted (no b.rules.yml any more)"]
    assert namespaces(client, workspace) == {"a": b"groups:\n  - name: a\n    rules: []\n"}


def test_a_file_name_amp_cannot_take_stops_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "-bad.rules.yml").write_text("groups: []\n")
    with pytest.raises(AmpConfigError, match="rename the file"):
        rule_files(tmp_path)


def test_no_rules_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AmpConfigError, match="nothing would be evaluated"):
        rule_files(tmp_path)


def test_the_alert_manager_routes_every_alert_to_the_topic() -> None:
    config = yaml.safe_load(
        yaml.safe_load(alert_manager_definition(TOPIC, "eu-west-1"))["alertmanager_config"]
    )
    assert config["route"]["receiver"] == "sns"
    (receiver,) = config["receivers"]
    (sns,) = receiver["sns_configs"]
    assert (sns["topic_arn"], sns["sigv4"]["region"]) == (TOPIC, "eu-west-1")
    assert "severity" in sns["subject"], "page or ticket shows in the subject"


class FakeAlertManager:
    """moto has no alert manager API: the create/put/unchanged logic against a stand-in."""

    def __init__(self) -> None:
        self.data: bytes | None = None
        self.calls: list[str] = []

    def describe_alert_manager_definition(self, workspaceId: str) -> dict[str, Any]:  # noqa: N803
        if self.data is None:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "Describe")
        return {"alertManagerDefinition": {"data": self.data, "status": {"statusCode": "ACTIVE"}}}

    def create_alert_manager_definition(self, workspaceId: str, data: bytes) -> None:  # noqa: N803
        self.calls.append("create")
        self.data = data

    def put_alert_manager_definition(self, workspaceId: str, data: bytes) -> None:  # noqa: N803
        self.calls.append("put")
        self.data = data


def test_the_alert_manager_definition_converges() -> None:
    fake = FakeAlertManager()
    first = alert_manager_definition(TOPIC, "eu-west-1")
    assert load_alert_manager(fake, "ws-1", first) == "alert manager: created"
    assert load_alert_manager(fake, "ws-1", first) == "alert manager: unchanged"
    other = alert_manager_definition(TOPIC.replace("dev", "prod"), "eu-west-1")
    assert load_alert_manager(fake, "ws-1", other) == "alert manager: updated"
    assert (fake.calls, fake.data) == (["create", "put"], other)


def test_a_disabled_workspace_loads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(units, "outputs", lambda _tg, _dir: {"enabled": False})
    args = argparse.Namespace(live_dir="live/local", terragrunt="tg", rules_dir="monitoring/rules")
    assert amp_config.run(args) == [
        "workspace disabled or not applied (prometheus.enabled): nothing to load"
    ]


def test_on_the_emulator_the_alert_manager_is_skipped_and_the_rules_load(
    amp: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, workspace = amp
    arn = client.describe_workspace(workspaceId=workspace)["workspace"]["arn"]
    outputs = {"enabled": True, "workspace_id": workspace, "workspace_arn": arn}
    monkeypatch.setattr(units, "outputs", lambda _tg, _dir: outputs)
    args = argparse.Namespace(
        live_dir=str(ROOT / "live" / "local"),
        terragrunt="tg",
        rules_dir=str(ROOT / "monitoring" / "rules"),
    )
    report = amp_config.run(args)
    assert report[0] == f"workspace {workspace}"
    assert "rules sumapi-slo: created" in report
    assert report[-1].startswith("alert manager: skipped on the emulator")
