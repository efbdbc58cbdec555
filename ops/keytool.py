"""API key tool: the clients' keys in the Secrets Manager secret nginx reads as API_KEYS.

    python -m ops.keytool add CLIENT              # new key, redeploy, print it ONCE
    python -m ops.keytool retire CLIENT [--all | --key FINGERPRINT]
    python -m ops.keytool list                    # names, fingerprints, masked keys
    python -m ops.keytool seed                    # first key, only if the secret has none
    python -m ops.keytool check                   # a key exists? (DescribeSecret, no decrypt)

Rotation: `add CLIENT` puts a second key next to the client's current one (both are valid
while the client switches), then `retire CLIENT` removes the older keys and keeps the newest.
Every change forces a new ECS deployment: nginx reads the secret only when a task starts.

`check` is what `make deploy` runs on every environment (CI included): it reads the secret's
metadata only (DescribeSecret: its version stages), never a value, so it needs no
kms:Decrypt. Seeding the first key (`seed`, `make seed-key`) is an operator's step.

Secret value format (contract with nginx): `client:key,client:key`, client [a-z0-9-]{1,32},
key [A-Za-z0-9_-]{32,128}. A full key is printed once, to the operator who created it; every
other output shows a fingerprint (sha256 prefix) and the first characters only.

Targets: --secret-id/--cluster/--service, or SUMAPI_SECRET_ID/SUMAPI_ECS_CLUSTER/
SUMAPI_ECS_SERVICE, or the outputs of the secrets and compute units of --live-dir (read with
terragrunt). The compute unit is asked only by the commands that redeploy, and only once it was
applied: the first deploy seeds the keys before the service exists (docs/runbook.md), and a
change made then reaches the tasks when they first start. Endpoint and credentials: boto3's
usual environment (AWS_ENDPOINT_URL for the emulator).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import secrets
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from ops import state_bucket, units

CLIENT_PATTERN = re.compile(r"^[a-z0-9-]{1,32}$")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
KEY_BYTES = 32  # 256 bits of entropy -> 43 URL-safe base64 characters
SEED_CLIENT = "default"


class KeyToolError(Exception):
    """An error the operator can act on; printed as one line, never with a key in it."""


@dataclass(frozen=True)
class ApiKey:
    client: str
    key: str

    @property
    def fingerprint(self) -> str:
        return "sha256:" + hashlib.sha256(self.key.encode()).hexdigest()[:12]

    @property
    def masked(self) -> str:
        return f"{self.key[:4]}{'*' * 8} ({len(self.key)} chars)"


def validate_client(client: str) -> str:
    if not CLIENT_PATTERN.fullmatch(client):
        raise KeyToolError(f"client name {client!r} must be 1-32 characters of [a-z0-9-]")
    return client


def parse_keys(value: str) -> list[ApiKey]:
    """Parses the secret value; rejects anything nginx would misread."""
    keys: list[ApiKey] = []
    if not value.strip():
        return keys
    for position, entry in enumerate(value.strip().split(","), start=1):
        client, sep, key = entry.partition(":")
        if not sep or not CLIENT_PATTERN.fullmatch(client) or not KEY_PATTERN.fullmatch(key):
            # Never echo the entry: it may hold a key.
            raise KeyToolError(f"secret value: entry {position} is not client:key")
        keys.append(ApiKey(client, key))
    return keys


def render_keys(keys: Sequence[ApiKey]) -> str:
    return ",".join(f"{k.client}:{k.key}" for k in keys)


def generate_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


@dataclass
class SecretState:
    keys: list[ApiKey]
    version_id: str | None  # None: the secret has no value yet


class KeyStore:
    """The API keys secret; writes fail when someone else changed it since it was read."""

    def __init__(self, client: Any, secret_id: str) -> None:
        self._client = client
        self.secret_id = secret_id

    def read(self) -> SecretState:
        try:
            answer = self._client.get_secret_value(SecretId=self.secret_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            # Also the answer for a secret that exists but has no value yet; describe_secret
            # tells the two apart (it raises when the secret itself is missing).
            self._client.describe_secret(SecretId=self.secret_id)
            return SecretState([], None)
        return SecretState(parse_keys(answer.get("SecretString", "")), answer["VersionId"])

    def has_current_value(self) -> bool:
        """Whether a value is AWSCURRENT, from the metadata alone (nothing is decrypted)."""
        stages = self._client.describe_secret(SecretId=self.secret_id).get("VersionIdsToStages", {})
        return any("AWSCURRENT" in labels for labels in stages.values())

    def write(self, keys: Sequence[ApiKey], expected: SecretState) -> str:
        if not keys:
            raise KeyToolError("refusing to leave the secret without keys (nginx would deny all)")
        current = self.read()
        if current.version_id != expected.version_id:
            raise KeyToolError("the secret changed while this command ran; run it again")
        answer = self._client.put_secret_value(
            SecretId=self.secret_id,
            SecretString=render_keys(keys),
            ClientRequestToken=str(uuid.uuid4()),
        )
        return str(answer["VersionId"])


@dataclass(frozen=True)
class Service:
    cluster: str
    name: str


def force_new_deployment(ecs: Any, service: Service | None) -> str:
    """Starts a new deployment so new tasks read the new secret value; returns its id."""
    if service is None:
        return "no ECS service deployed yet: tasks read the keys when they start"
    try:
        answer = ecs.update_service(
            cluster=service.cluster, service=service.name, forceNewDeployment=True
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in {"ServiceNotFoundException", "ClusterNotFoundException"}:
            return f"ECS service {service.name} not found: tasks read the keys when they start"
        raise
    deployments = answer["service"].get("deployments", [])
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    deployment_id = (primary or (deployments[0] if deployments else {})).get("id", "?")
    return f"new ECS deployment {deployment_id} of {service.cluster}/{service.name}"


# --- commands -------------------------------------------------------------------------------


Printer = Callable[[str], None]


def in_ci() -> bool:
    """CI logs are kept and widely readable: not a channel for a key."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def cmd_add(
    store: KeyStore,
    ecs: Any,
    service: Service | None,
    client: str,
    out: Printer,
    show_key: bool = True,
) -> int:
    validate_client(client)
    if show_key and in_ci():
        raise KeyToolError(
            "a new key is printed once: run this from an operator's terminal, not CI"
        )
    state = store.read()
    new = ApiKey(client, generate_key())
    store.write([*state.keys, new], state)
    others = sum(1 for k in state.keys if k.client == client)
    out(f"added a key for {client} ({new.fingerprint}); {client} now has {others + 1} key(s)")
    out(force_new_deployment(ecs, service))
    if show_key:
        out("The key is shown once. Hand it to the client over a secure channel now:")
        out(f"{client}:{new.key}")
    else:
        out(
            f"The key is not shown here. Give clients their own: make rotate-key CLIENT=<name>, "
            f"then make retire-key CLIENT={client} ALL=1"
        )
    if others:
        out(f"When {client} uses the new key: make retire-key CLIENT={client}")
    return 0


def cmd_seed(store: KeyStore, ecs: Any, service: Service | None, out: Printer) -> int:
    """The first key, so that nginx starts with a valid key list. In CI it is not shown."""
    state = store.read()
    if state.keys:
        out(f"seed: the secret already holds {len(state.keys)} key(s); nothing to do")
        return 0
    return cmd_add(store, ecs, service, SEED_CLIENT, out, show_key=not in_ci())


def cmd_check(store: KeyStore, env: str, out: Printer) -> int:
    """A key exists (the service can start), checked without reading it: CI's path."""
    if not store.has_current_value():
        raise KeyToolError(
            f"the API keys secret has no value, so the gateway would refuse every request: "
            f"an operator seeds the first key with `make seed-key ENV={env}` "
            f"(docs/runbook.md#first-deploy)"
        )
    out("check: the API keys secret has a current value (not read)")
    return 0


def select_retired(
    keys: Sequence[ApiKey], client: str, everything: bool, fingerprint: str | None
) -> list[ApiKey]:
    own = [k for k in keys if k.client == client]
    if not own:
        raise KeyToolError(f"no key for client {client}")
    if fingerprint is not None:
        wanted = fingerprint.removeprefix("sha256:")
        chosen = [k for k in own if k.fingerprint.removeprefix("sha256:").startswith(wanted)]
        if len(chosen) != 1:
            raise KeyToolError(f"{len(chosen)} keys of {client} match {fingerprint}, not 1")
        return chosen
    if everything:
        return own
    if len(own) == 1:
        raise KeyToolError(
            f"{client} has only one key: rotate first (add), or remove the client with --all"
        )
    return own[:-1]  # keys are appended: the last one is the newest


def cmd_retire(
    store: KeyStore,
    ecs: Any,
    service: Service | None,
    client: str,
    everything: bool,
    fingerprint: str | None,
    out: Printer,
) -> int:
    validate_client(client)
    state = store.read()
    retired = select_retired(state.keys, client, everything, fingerprint)
    kept = [k for k in state.keys if k not in retired]
    store.write(kept, state)
    for key in retired:
        out(f"retired {client} {key.fingerprint}")
    out(force_new_deployment(ecs, service))
    return 0


def cmd_list(store: KeyStore, out: Printer) -> int:
    state = store.read()
    if not state.keys:
        out("no keys (seed one: make seed-key)")
        return 0
    width = max(len(k.client) for k in state.keys)
    for key in state.keys:
        out(f"{key.client:<{width}}  {key.fingerprint}  {key.masked}")
    return 0


# --- wiring ---------------------------------------------------------------------------------


REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
# The commands that redeploy the service after a change: only they need the compute unit.
REDEPLOYING = ("add", "retire", "seed")


def unit_applied(live_dir: Path, unit: str, s3: Any) -> bool:
    """Whether the unit's state object exists (the root terragrunt.hcl's key). Terragrunt
    cannot say: `output` of a unit whose dependencies were never applied fails, and mocks are
    not allowed for it. The first deploy seeds the keys before compute exists."""
    bucket, _ = state_bucket.settings(live_dir)
    relative = live_dir.resolve().relative_to(REPOSITORY_ROOT).as_posix()
    try:
        s3.head_object(Bucket=bucket, Key=f"{relative}/{unit}/terraform.tfstate")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def resolve_targets(args: argparse.Namespace, s3: Any) -> tuple[str, Service | None]:
    secret_id = args.secret_id or os.environ.get("SUMAPI_SECRET_ID")
    cluster = args.cluster or os.environ.get("SUMAPI_ECS_CLUSTER")
    service = args.service or os.environ.get("SUMAPI_ECS_SERVICE")
    if args.live_dir and not secret_id:
        secret_id = units.outputs(args.terragrunt, Path(args.live_dir) / "secrets").get(
            "secret_arn"
        )
    wants_service = args.command in REDEPLOYING and not (cluster and service)
    if args.live_dir and wants_service and unit_applied(Path(args.live_dir), "compute", s3):
        outputs = units.outputs(args.terragrunt, Path(args.live_dir) / "compute")
        cluster = cluster or outputs.get("cluster_name")
        service = service or outputs.get("service_name")
    if not secret_id:
        raise KeyToolError("no secret: deploy the secrets unit first, or pass --secret-id")
    return str(secret_id), (Service(str(cluster), str(service)) if cluster and service else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.keytool",
        description="Manage the API keys nginx accepts (see the module docstring).",
    )
    parser.add_argument("--secret-id", help="ARN or name of the API keys secret")
    parser.add_argument("--cluster", help="ECS cluster of the service to redeploy")
    parser.add_argument("--service", help="ECS service to redeploy")
    parser.add_argument("--live-dir", help="live/<env>: read the targets from unit outputs")
    parser.add_argument("--terragrunt", default="terragrunt", help="terragrunt binary")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add a key for CLIENT (rotation step 1)")
    add.add_argument("client")
    retire = commands.add_parser("retire", help="retire CLIENT's older keys (rotation step 2)")
    retire.add_argument("client")
    which = retire.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="remove every key of CLIENT")
    which.add_argument("--key", metavar="FINGERPRINT", help="remove this key only")
    commands.add_parser("list", help="client names with fingerprints and masked keys")
    commands.add_parser("seed", help=f"add a '{SEED_CLIENT}' key if the secret has none")
    commands.add_parser("check", help="fail unless the secret has a value (DescribeSecret only)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    try:
        session = boto3.session.Session()
        secret_id, service = resolve_targets(args, session.client("s3"))
        store = KeyStore(session.client("secretsmanager"), secret_id)
        ecs = session.client("ecs")
        if args.command == "add":
            return cmd_add(store, ecs, service, args.client, out)
        if args.command == "seed":
            return cmd_seed(store, ecs, service, out)
        if args.command == "check":
            env = Path(args.live_dir).name if args.live_dir else "<env>"
            return cmd_check(store, env, out)
        if args.command == "retire":
            return cmd_retire(store, ecs, service, args.client, args.all, args.key, out)
        return cmd_list(store, out)
    except (KeyToolError, units.UnitError, state_bucket.BucketError) as error:
        print(f"keytool: {error}", file=sys.stderr)
        return 1
    except ClientError as error:
        details = error.response.get("Error", {})
        print(f"keytool: AWS {details.get('Code')}: {details.get('Message')}", file=sys.stderr)
        return 1
    except BotoCoreError as error:
        print(f"keytool: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
