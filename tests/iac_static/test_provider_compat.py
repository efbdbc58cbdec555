"""The provider that ships is the provider tested.

Every suite runs hashicorp/aws at the version of versions.env (AWS_PROVIDER_VERSION), linked
from this machine's filesystem mirror (make tools). These checks keep the rest in line with
it: the modules' constraint, the lock files every environment installs from (the emulator's
included), the binary they lock, and the emulator's endpoints, which must cover every service
the modules call. Static and fast: nothing is initialised.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from devtools import plan_file
from tests.harness import ROOT
from tests.iac_static.tooling import tool

MODULES = sorted(p.parent for p in (ROOT / "modules").glob("*/versions.tf"))
UNITS = sorted(p.parent for p in (ROOT / "live").glob("*/*/terragrunt.hcl"))
PIN = plan_file.versions()["AWS_PROVIDER_VERSION"]
# OpenTofu's name of `source = "hashicorp/aws"`: what its lock files record.
PROVIDER = "registry.opentofu.org/hashicorp/aws"

Version = tuple[int, int, int]


def version(text: str) -> Version:
    parts = [int(p) for p in text.strip().split(".")]
    parts += [0] * (3 - len(parts))
    return (parts[0], parts[1], parts[2])


def satisfies(candidate: Version, constraint: str) -> bool:
    """Terraform's constraint syntax: comma-separated =, !=, >, >=, <, <=, ~>."""
    for part in constraint.split(","):
        match = re.fullmatch(r"\s*(=|!=|>=|<=|>|<|~>)?\s*([0-9]+(?:\.[0-9]+){0,2})\s*", part)
        if not match:
            raise ValueError(f"cannot read version constraint {part!r}")
        op, given = match.group(1) or "=", match.group(2)
        bound = version(given)
        ok = {
            "=": candidate == bound,
            "!=": candidate != bound,
            ">": candidate > bound,
            ">=": candidate >= bound,
            "<": candidate < bound,
            "<=": candidate <= bound,
        }.get(op)
        if op == "~>":
            depth = given.count(".")
            upper = (bound[0] + 1, 0, 0) if depth <= 1 else (bound[0], bound[1] + 1, 0)
            ok = bound <= candidate < upper
        if not ok:
            return False
    return True


def required_providers(module: Path) -> dict[str, tuple[str, str]]:
    """name -> (source, version) of versions.tf's required_providers."""
    text = (module / "versions.tf").read_text()
    block = re.search(r"required_providers\s*\{(.*)\n  \}", text, re.DOTALL)
    assert block, f"{module.name}/versions.tf has no required_providers block"
    found = {}
    for name, body in re.findall(
        r"^\s{4}(\w+)\s*=\s*\{(.*?)\n\s{4}\}", block.group(1), re.M | re.S
    ):
        source = re.search(r'source\s*=\s*"([^"]+)"', body)
        constraint = re.search(r'version\s*=\s*"([^"]+)"', body)
        found[name] = (source.group(1) if source else "", constraint.group(1) if constraint else "")
    return found


def lock_entries(lock: Path) -> dict[str, dict[str, object]]:
    """provider address -> {version, constraints, hashes} of a .terraform.lock.hcl."""
    entries: dict[str, dict[str, object]] = {}
    for address, body in re.findall(r'provider "([^"]+)" \{(.*?)\n\}', lock.read_text(), re.S):
        fields = dict(re.findall(r'^\s*(version|constraints)\s*=\s*"([^"]*)"', body, re.M))
        hashes = re.findall(r'"((?:h1|zh):[^"]+)"', body)
        entries[address] = {**fields, "hashes": hashes}
    return entries


def package_hash_v1(package: Path) -> str:
    """The h1: hash tofu records for an unpacked provider package (Go's dirhash.Hash1)."""
    lines = []
    for path in sorted(p for p in package.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
        lines.append(f"{digest.hexdigest()}  {path.relative_to(package).as_posix()}\n")
    return "h1:" + base64.b64encode(hashlib.sha256("".join(lines).encode()).digest()).decode()


# --- the modules' constraint ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "constraint", "expected"),
    [
        ("5.100.0", "~> 5.100", True),
        ("5.100.3", "~> 5.100", True),
        ("5.99.1", "~> 5.100", False),
        ("6.0.0", "~> 5.100", False),
        ("5.101.0", "~> 5.100.0", False),
        ("4.3.0", ">= 3.39, != 4.3.0, < 6", False),
        ("5.100.0", "5.100.0", True),
    ],
)
def test_constraints_are_read_as_terraform_does(
    candidate: str, constraint: str, expected: bool
) -> None:
    assert satisfies(version(candidate), constraint) is expected


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_each_module_requires_the_pinned_provider_and_no_other(module: Path) -> None:
    providers = required_providers(module)
    assert list(providers) == ["aws"], (
        f"modules/{module.name} requires {sorted(providers)}: the lock files "
        "(devtools/provider-lock-files) lock hashicorp/aws only"
    )
    source, constraint = providers["aws"]
    assert source == "hashicorp/aws"
    pin = version(PIN)
    assert satisfies(pin, constraint), f"{module.name}: {constraint} refuses {PIN} (versions.env)"
    below = (pin[0], pin[1] - 1, 999) if pin[1] else (pin[0] - 1, 999, 999)
    assert not satisfies(below, constraint), f"{module.name}: {constraint} admits older than {PIN}"
    assert not satisfies((pin[0] + 1, 0, 0), constraint), (
        f"{module.name}: {constraint} admits {pin[0] + 1}.x, which no suite runs"
    )


def test_every_module_declares_the_same_constraint() -> None:
    constraints = {m.name: required_providers(m)["aws"][1] for m in MODULES}
    assert len(set(constraints.values())) == 1, constraints


# --- the lock files --------------------------------------------------------------------------


def test_every_unit_of_every_environment_has_the_same_lock_file() -> None:
    assert {u.parent.name for u in UNITS} >= {"local", "dev", "prod"}
    missing = [str(u.relative_to(ROOT)) for u in UNITS if not (u / ".terraform.lock.hcl").is_file()]
    assert not missing, f"no .terraform.lock.hcl in {missing}: run make providers-lock-offline"
    contents = {(u / ".terraform.lock.hcl").read_text() for u in UNITS}
    assert len(contents) == 1, "the units' lock files differ: run make providers-lock-offline"


def test_the_lock_files_pin_the_tested_version_under_the_modules_constraint() -> None:
    [entry] = lock_entries(UNITS[0] / ".terraform.lock.hcl").items()
    address, fields = entry
    assert address == PROVIDER
    assert fields["version"] == PIN, "run make providers-lock-offline after a version bump"
    assert fields["constraints"] == required_providers(MODULES[0])["aws"][1]


def test_the_lock_files_hold_the_hash_of_the_binary_the_tests_run() -> None:
    """The package the mirror links (make tools) is the one the lock files accept: its h1:
    hash, computed here from the files, is recorded. Other platforms' hashes come from the
    registry (make providers-lock)."""
    tofurc = Path(tool("TOFURC")).read_text()
    match = re.search(r'path\s*=\s*"([^"]+)"', tofurc)
    assert match, f"no filesystem mirror path in {tofurc}"
    [package] = (Path(match.group(1)) / PROVIDER / PIN).iterdir()  # this machine's platform
    assert package.is_symlink(), "the mirror links the machine's provider, never copies it"
    recorded = lock_entries(UNITS[0] / ".terraform.lock.hcl")[PROVIDER]["hashes"]
    assert package_hash_v1(package.resolve()) in recorded  # type: ignore[operator]


def test_the_package_hash_is_go_dirhash(tmp_path: Path) -> None:
    """Known answer: Go's dirhash.Hash1 of a directory holding a/b "x\\n" and c "" ."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").write_text("x\n")
    (tmp_path / "c").write_text("")
    summary = (
        f"{hashlib.sha256(b'x' + bytes([10])).hexdigest()}  a/b\n"
        f"{hashlib.sha256(b'').hexdigest()}  c\n"
    )
    expected = "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()
    assert package_hash_v1(tmp_path) == expected


# --- the emulator's endpoints ---------------------------------------------------------------

# The provider's endpoint name of each resource or data source type the modules use (the
# longest matching prefix wins); None: computed locally, no API call.
ENDPOINTS: dict[str, str | None] = {
    "aws_appautoscaling_": "applicationautoscaling",
    "aws_availability_zones": "ec2",
    "aws_budgets_": "budgets",
    "aws_caller_identity": "sts",
    "aws_cloudwatch_": "cloudwatch",
    "aws_cloudwatch_log_": "logs",
    "aws_default_security_group": "ec2",
    "aws_ecr_": "ecr",
    "aws_ecs_": "ecs",
    "aws_eip": "ec2",
    "aws_flow_log": "ec2",
    "aws_iam_": "iam",
    "aws_iam_policy_document": None,
    "aws_internet_gateway": "ec2",
    "aws_kms_": "kms",
    "aws_lb": "elbv2",
    "aws_nat_gateway": "ec2",
    "aws_partition": None,
    "aws_prometheus_": "amp",
    "aws_region": None,
    "aws_route": "ec2",
    "aws_route53_": "route53",
    "aws_s3_": "s3",
    "aws_secretsmanager_": "secretsmanager",
    "aws_security_group": "ec2",
    "aws_sns_": "sns",
    "aws_subnet": "ec2",
    "aws_vpc": "ec2",
    "aws_wafv2_": "wafv2",
}


def endpoint_of(resource_type: str) -> str | None:
    prefixes = [p for p in ENDPOINTS if resource_type.startswith(p)]
    if not prefixes:
        raise KeyError(resource_type)
    return ENDPOINTS[max(prefixes, key=len)]


def test_the_endpoint_map_takes_the_longest_prefix() -> None:
    assert endpoint_of("aws_route53_record") == "route53"
    assert endpoint_of("aws_route_table") == "ec2"
    assert endpoint_of("aws_cloudwatch_log_group") == "logs"
    assert endpoint_of("aws_cloudwatch_metric_alarm") == "cloudwatch"
    assert endpoint_of("aws_iam_policy_document") is None
    with pytest.raises(KeyError):
        endpoint_of("aws_waf_web_acl")


def test_the_emulator_redirects_every_service_the_modules_call() -> None:
    """A call to a service without an endpoint in live/local/emulator.hcl would go to real
    AWS with the emulator's fake credentials."""
    types = {
        t
        for tf in ROOT.glob("modules/*/*.tf")
        for t in re.findall(r'^(?:resource|data) "(aws_[a-z0-9_]+)"', tf.read_text(), re.M)
    }
    unknown = sorted(t for t in types if not any(t.startswith(p) for p in ENDPOINTS))
    assert not unknown, f"{unknown}: add their endpoint name to ENDPOINTS (and emulator.hcl)"
    called = {service for t in types if (service := endpoint_of(t)) is not None}
    emulator = (ROOT / "live" / "local" / "emulator.hcl").read_text()
    listed = re.search(r"services = \[(.*?)\]", emulator, re.S)
    assert listed, "live/local/emulator.hcl has no services list"
    services = set(re.findall(r'"([a-z0-9]+)"', listed.group(1)))
    assert services == called, (
        f"emulator.hcl lacks {sorted(called - services)}, lists unused {sorted(services - called)}"
    )
