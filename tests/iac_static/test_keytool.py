"""The key tool's format, retire rules and CI behaviour, on a fake Secrets Manager (fast).

The slow cycle (test_stack.py) runs the same code against the emulator through make.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ops import state_bucket, units
from ops.keytool import (
    KEY_PATTERN,
    ApiKey,
    KeyStore,
    KeyToolError,
    Service,
    build_parser,
    cmd_add,
    cmd_check,
    cmd_seed,
    generate_key,
    parse_keys,
    render_keys,
    resolve_targets,
    select_retired,
)
from tests.harness import ROOT

KEY_A = "A" * 40
KEY_B = "b-_9" * 10
KEY_C = "C" * 43


def test_generated_keys_match_the_gateway_contract_and_differ() -> None:
    keys = {generate_key() for _ in range(200)}
    assert len(keys) == 200
    assert all(KEY_PATTERN.fullmatch(k) for k in keys)
    assert all(len(k) == 43 for k in keys)  # 32 random bytes


def test_render_and_parse_round_trip() -> None:
    keys = [ApiKey("alice", KEY_A), ApiKey("bob-2", KEY_B), ApiKey("alice", KEY_C)]
    value = render_keys(keys)
    assert value == f"alice:{KEY_A},bob-2:{KEY_B},alice:{KEY_C}"
    assert parse_keys(value) == keys
    assert parse_keys("") == []


@pytest.mark.parametrize(
    "value",
    [
        f"Alice:{KEY_A}",  # upper case client
        f"alice:{'x' * 31}",  # key too short
        f"alice {KEY_A}",  # no separator
        f"alice:{KEY_A},",  # empty entry
        f"alice:{KEY_A[:-1]}!",  # character outside the alphabet
        f"{'a' * 33}:{KEY_A}",  # client too long
    ],
)
def test_parse_rejects_what_nginx_would_misread_without_echoing_it(value: str) -> None:
    with pytest.raises(KeyToolError) as error:
        parse_keys(value)
    assert KEY_A[:8] not in str(error.value)
    assert "x" * 31 not in str(error.value)


def test_masked_and_fingerprint_reveal_no_usable_part() -> None:
    key = ApiKey("alice", KEY_B)
    assert KEY_B[:5] not in key.masked
    assert key.fingerprint.startswith("sha256:")
    assert KEY_B not in key.fingerprint


def test_retire_keeps_the_newest_key_by_default() -> None:
    keys = [ApiKey("alice", KEY_A), ApiKey("bob", KEY_B), ApiKey("alice", KEY_C)]
    assert select_retired(keys, "alice", everything=False, fingerprint=None) == [keys[0]]
    assert select_retired(keys, "alice", everything=True, fingerprint=None) == [keys[0], keys[2]]
    by_print = keys[2].fingerprint[:14]
    assert select_retired(keys, "alice", everything=False, fingerprint=by_print) == [keys[2]]


def test_retire_refuses_to_drop_a_clients_only_key_or_unknown_clients() -> None:
    keys = [ApiKey("alice", KEY_A), ApiKey("bob", KEY_B)]
    with pytest.raises(KeyToolError, match="only one key"):
        select_retired(keys, "alice", everything=False, fingerprint=None)
    with pytest.raises(KeyToolError, match="no key for client"):
        select_retired(keys, "carol", everything=False, fingerprint=None)


class FakeSecrets:
    """The three Secrets Manager calls of KeyStore, on a list of versions."""

    def __init__(self) -> None:
        self.versions: list[str] = []

    def get_secret_value(self, **_: Any) -> dict[str, str]:
        if not self.versions:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no value"}}
            raise ClientError(error, "GetSecretValue")
        return {"SecretString": self.versions[-1], "VersionId": f"v{len(self.versions)}"}

    def describe_secret(self, **_: Any) -> dict[str, Any]:
        # As AWS: the newest version is AWSCURRENT, the one before AWSPREVIOUS.
        stages: dict[str, list[str]] = {f"v{i}": [] for i in range(1, len(self.versions) + 1)}
        if self.versions:
            stages[f"v{len(self.versions)}"] = ["AWSCURRENT"]
        return {"VersionIdsToStages": stages} if self.versions else {}

    def put_secret_value(self, **kwargs: Any) -> dict[str, str]:
        self.versions.append(kwargs["SecretString"])
        return {"VersionId": f"v{len(self.versions)}"}


def run_seed(secrets: FakeSecrets) -> list[str]:
    lines: list[str] = []
    assert cmd_seed(KeyStore(secrets, "arn"), None, None, lines.append) == 0
    return lines


def test_seed_shows_the_first_key_once_then_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    secrets = FakeSecrets()
    lines = run_seed(secrets)
    (entry,) = parse_keys(secrets.versions[-1])
    assert entry.client == "default"
    key = entry.key
    assert sum(key in line for line in lines) == 1
    assert not any(key in line for line in run_seed(secrets))
    assert len(secrets.versions) == 1


def test_in_ci_seed_hides_the_key_and_add_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    secrets = FakeSecrets()
    lines = run_seed(secrets)
    key = parse_keys(secrets.versions[-1])[0].key
    assert not any(key[:8] in line for line in lines)
    with pytest.raises(KeyToolError, match="operator's terminal"):
        cmd_add(KeyStore(secrets, "arn"), None, None, "acme", lines.append)
    assert len(secrets.versions) == 1


class MetadataOnly(FakeSecrets):
    """A caller without kms:Decrypt: reading a value fails, as it would for CI's roles."""

    def get_secret_value(self, **_: Any) -> dict[str, str]:
        raise AssertionError("the check must not read the secret's value")


def test_check_fails_in_one_line_naming_the_seed_step_and_reads_no_value() -> None:
    secrets, lines = MetadataOnly(), list[str]()
    with pytest.raises(KeyToolError) as error:
        cmd_check(KeyStore(secrets, "arn"), "dev", lines.append)
    assert "make seed-key ENV=dev" in str(error.value)
    assert "\n" not in str(error.value)


def test_check_passes_once_a_key_was_seeded_without_reading_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    secrets = MetadataOnly()
    secrets.versions.append(f"default:{KEY_A}")  # what an operator's `make seed-key` wrote
    lines: list[str] = []
    assert cmd_check(KeyStore(secrets, "arn"), "dev", lines.append) == 0
    assert not any(KEY_A[:8] in line for line in lines)


class FakeS3:
    """The state bucket: which state objects exist."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        self.asked: list[str] = []

    def head_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803 (boto3's names)
        self.asked.append(f"{Bucket}/{Key}")
        if Key not in self.keys:
            raise ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadObject")
        return {}


def test_the_first_keys_are_seeded_before_compute_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runbook order: secrets applied, compute not yet. Terragrunt is never asked for compute's
    outputs (it would fail: its dependencies have none, and mocks are not allowed for output);
    the state object says the unit was never applied, so there is no service to redeploy."""
    asked: list[Path] = []

    def outputs(_terragrunt: str, unit_dir: Path) -> dict[str, Any]:
        asked.append(unit_dir)
        assert unit_dir.name != "compute", "compute's outputs were asked for before it exists"
        return {"secret_arn": "arn:secret"}

    monkeypatch.setattr(units, "outputs", outputs)
    live = ROOT / "live" / "local"
    bucket, _ = state_bucket.settings(live)
    for command in ("seed", "add", "retire", "list", "check"):
        argv = [
            "--live-dir",
            str(live),
            command,
            *(["acme"] if command in ("add", "retire") else []),
        ]
        args = build_parser().parse_args(argv)
        s3 = FakeS3(set())
        assert resolve_targets(args, s3) == ("arn:secret", None)
        redeploys = command in ("seed", "add", "retire")
        assert s3.asked == ([f"{bucket}/live/local/compute/terraform.tfstate"] if redeploys else [])

    # Once compute is applied, the commands that change keys redeploy its service.
    monkeypatch.setattr(
        units,
        "outputs",
        lambda _t, unit_dir: (
            {"secret_arn": "arn:secret"}
            if unit_dir.name == "secrets"
            else {"cluster_name": "c", "service_name": "s"}
        ),
    )
    args = build_parser().parse_args(["--live-dir", str(live), "add", "acme"])
    applied = FakeS3({"live/local/compute/terraform.tfstate"})
    assert resolve_targets(args, applied) == ("arn:secret", Service("c", "s"))
