"""Each module's hashicorp/aws constraint must hold for every argument the module uses.

Only 3.39 can be proven here (the emulator's provider). The rest of the declared range is
kept honest on paper: a deny-list of arguments (and resource types) that do not exist, or
cannot be set, in part of 3.x-5.x, from the provider's changelog and upgrade guides; a
module that uses one must exclude those versions in versions.tf. Fast and static: the .tf
files are scanned, nothing is initialised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness import ROOT

MODULES = sorted(p.parent for p in (ROOT / "modules").glob("*/versions.tf"))

Version = tuple[int, int, int]


def version(text: str) -> Version:
    parts = [int(p) for p in text.strip().split(".")]
    parts += [0] * (3 - len(parts))
    return (parts[0], parts[1], parts[2])


# --- the deny-list -------------------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    """`argument` of `block` does not work in [since, until) (until None = every later one).

    argument None: the resource type itself. releases: the exact releases of a bounded range,
    so that a constraint may exclude them one by one (`!= 4.0.0, ...`).
    """

    block: str
    argument: str | None
    since: Version
    until: Version | None
    why: str
    releases: tuple[Version, ...] = ()


ORIGIN: Version = (0, 0, 0)
S3_READ_ONLY_IN_4_0_TO_4_8 = tuple(version(f"4.{minor}.0") for minor in range(9))
DENY_LIST: tuple[Broken, ...] = (
    # 4.0.0 made these read-only ("Can't configure a value"); 4.9.0 made them configurable again.
    *(
        Broken(
            "resource.aws_s3_bucket",
            argument,
            version("4.0.0"),
            version("4.9.0"),
            "read-only in 4.0.0-4.8.0 (configurable again, deprecated, from 4.9.0)",
            S3_READ_ONLY_IN_4_0_TO_4_8,
        )
        for argument in (
            "acceleration_status",
            "acl",
            "grant",
            "cors_rule",
            "lifecycle_rule",
            "logging",
            "object_lock_configuration",
            "policy",
            "replication_configuration",
            "request_payer",
            "server_side_encryption_configuration",
            "versioning",
            "website",
        )
    ),
    # The standalone S3 bucket configuration resources arrived in 3.75.0 (backported from 4.0).
    *(
        Broken(f"resource.{resource}", None, ORIGIN, version("3.75.0"), "added in 3.75.0")
        for resource in (
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_versioning",
            "aws_s3_bucket_logging",
            "aws_s3_bucket_acl",
        )
    ),
    Broken(
        "resource.aws_eip",
        "vpc",
        version("6.0.0"),
        None,
        'removed in 6.0 (deprecated in 5.x): use domain = "vpc"',
    ),
    Broken(
        "resource.aws_eip",
        "domain",
        ORIGIN,
        version("5.0.0"),
        'computed only before 5.0 ("Can\'t configure a value for domain"): use vpc = true',
    ),
    Broken(
        "resource.aws_ecr_repository", "force_delete", ORIGIN, version("4.22.0"), "added in 4.22.0"
    ),
    *(
        Broken("resource.aws_vpc", argument, version("5.0.0"), None, "removed in 5.0 (EC2-Classic)")
        for argument in ("enable_classiclink", "enable_classiclink_dns_support")
    ),
    *(
        Broken(
            "resource.aws_ecs_cluster",
            argument,
            version("5.0.0"),
            None,
            "removed in 5.0: use aws_ecs_cluster_capacity_providers",
        )
        for argument in ("capacity_providers", "default_capacity_provider_strategy")
    ),
    *(
        Broken(
            "resource.aws_secretsmanager_secret",
            argument,
            version("5.0.0"),
            None,
            "removed in 5.0: use aws_secretsmanager_secret_rotation",
        )
        for argument in ("rotation_enabled", "rotation_lambda_arn", "rotation_rules")
    ),
    Broken(
        "resource.aws_autoscaling_group", "tags", version("5.0.0"), None, "removed in 5.0: use tag"
    ),
    *(
        Broken("provider.aws", argument, version("5.0.0"), None, f"removed in 5.0: use {new}")
        for argument, new in (
            ("s3_force_path_style", "s3_use_path_style"),
            ("shared_credentials_file", "shared_credentials_files"),
            ("skip_get_ec2_platforms", "nothing (EC2-Classic is gone)"),
        )
    ),
    Broken("provider.aws", "s3_use_path_style", ORIGIN, version("4.0.0"), "added in 4.0.0"),
)


# --- a small HCL scanner: the arguments and blocks directly inside each top-level block ------


def _mask_strings_and_comments(text: str) -> str:
    """Comments and heredocs dropped, string contents reduced to label characters.

    What remains has braces, brackets and parentheses only where HCL structure has them,
    so depth can be counted; block labels ("aws_eip") survive.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#" or text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
        elif heredoc := re.match(r"<<-?([A-Za-z_]+)\n", text[i:]):
            body = text[i + heredoc.end() :]
            end = re.search(rf"^\s*{heredoc.group(1)}\s*$", body, re.MULTILINE)
            out.append('""')
            i = n if end is None else i + heredoc.end() + end.end()
        elif c == '"':
            i, content = _skip_string(text, i)
            out.append('"' + re.sub(r"[^A-Za-z0-9_.-]", "", content) + '"')
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _skip_string(text: str, start: int) -> tuple[int, str]:
    """End index and raw content of the string literal opening at start (with ${...})."""
    i, depth, content = start + 1, 0, []
    while i < len(text):
        c = text[i]
        if c == "\\":
            content.append(text[i : i + 2])
            i += 2
            continue
        if depth == 0 and c == '"':
            return i + 1, "".join(content)
        if text.startswith("${", i) or text.startswith("%{", i):
            depth += 1
            content.append(text[i : i + 2])
            i += 2
            continue
        if depth and c == '"':
            i, inner = _skip_string(text, i)
            content.append(inner)
            continue
        if depth and c == "{":
            depth += 1
        elif depth and c == "}":
            depth -= 1
        content.append(c)
        i += 1
    raise ValueError("unterminated string")


BLOCK_HEADER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_-]*)((?:\s+"[^"]*")*)\s*\{')
ATTRIBUTE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=(?![=>])")


def block_arguments(text: str) -> dict[str, set[str]]:
    """{"resource.aws_eip": {"vpc", "tags", ...}, "provider.aws": {...}}: the argument and
    nested block names directly in each top-level resource, data or provider block (a
    `dynamic "x"` block counts as x); names inside expressions are not arguments."""
    found: dict[str, set[str]] = {}
    stack: list[str | None] = []  # the key of each open HCL block, None for expressions
    for line in _mask_strings_and_comments(text).splitlines():
        in_block = not stack or stack[-1] is not None
        header = BLOCK_HEADER.match(line) if in_block else None
        attribute = ATTRIBUTE.match(line) if in_block and not header else None
        if header:
            name, labels = header.group(1), re.findall(r'"([^"]*)"', header.group(2))
            if not stack:
                key = f"{name}.{labels[0]}" if name in ("resource", "data", "provider") else ""
            else:
                key = stack[-1] or ""
                if key and len(stack) == 1:
                    found.setdefault(key, set()).add(labels[0] if name == "dynamic" else name)
            stack.append(key)
            line = line[header.end() :]  # a one-line block closes on this line
        elif attribute:
            if len(stack) == 1 and stack[0]:
                found.setdefault(stack[0], set()).add(attribute.group(1))
            line = line[attribute.end() :]
        for c in line:
            if c in "{[(":
                stack.append(None)
            elif c in "}])" and stack:
                stack.pop()
    return found


def module_arguments(module: Path) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for tf in sorted(module.glob("*.tf")):
        for key, names in block_arguments(tf.read_text()).items():
            merged.setdefault(key, set()).update(names)
    return merged


# --- version constraints ---------------------------------------------------------------------


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


def allowed_in(broken: Broken, constraint: str) -> list[str]:
    """The provider versions the constraint allows although the argument does not work there."""
    if broken.releases:
        return [".".join(map(str, r)) for r in broken.releases if satisfies(r, constraint)]
    # An unbounded or release-less range: the constraint (bounds minus single versions) allows
    # some of it when it allows its first version, or a version on either side of each bound
    # the constraint names inside the range.
    probes = {broken.since}
    for number in re.findall(r"[0-9]+(?:\.[0-9]+){0,2}", constraint):
        bound = version(number)
        for probe in (bound, (bound[0], bound[1], bound[2] + 1), _before(bound)):
            if probe >= broken.since and (broken.until is None or probe < broken.until):
                probes.add(probe)
    allowed = [".".join(map(str, p)) for p in sorted(probes) if satisfies(p, constraint)]
    return allowed[:1]  # one example is enough


def _before(v: Version) -> Version:
    if v[2]:
        return (v[0], v[1], v[2] - 1)
    if v[1]:
        return (v[0], v[1] - 1, 999)
    return (v[0] - 1, 999, 999) if v[0] else v


def aws_constraint(module: Path) -> str:
    text = (module / "versions.tf").read_text()
    match = re.search(r'aws\s*=\s*\{[^}]*?version\s*=\s*"([^"]+)"', text, re.DOTALL)
    assert match, f"{module.name}/versions.tf declares no hashicorp/aws version"
    return match.group(1)


# --- the checks ------------------------------------------------------------------------------


def test_the_scanner_sees_arguments_and_nested_blocks_not_expressions() -> None:
    sample = """
provider "aws" {
  s3_force_path_style = true # a comment { with a brace
}
resource "aws_eip" "nat" {
  vpc  = true
  tags = merge(var.tags, { domain = "x}" })
  condition = a == b
  dynamic "timeouts" {
    for_each = [1]
    content { delete = "1m" }
  }
  lifecycle { create_before_destroy = true }
  policy = <<-EOF
    { "versioning": { "x": 1 } }
  EOF
}
resource "aws_s3_bucket" "b" {
  lifecycle_rule {
    enabled = true
  }
  bucket = "${var.name}-{logs}"
}
"""
    assert block_arguments(sample) == {
        "provider.aws": {"s3_force_path_style"},
        "resource.aws_eip": {"vpc", "tags", "condition", "timeouts", "lifecycle", "policy"},
        "resource.aws_s3_bucket": {"lifecycle_rule", "bucket"},
    }


@pytest.mark.parametrize(
    ("candidate", "constraint", "expected"),
    [
        ("3.39.0", ">= 3.39, < 6", True),
        ("6.0.0", ">= 3.39, < 6", False),
        ("4.3.0", ">= 3.39, != 4.3.0, < 6", False),
        ("4.9.0", "~> 4.9", True),
        ("5.1.0", "~> 4.9", False),
        ("4.10.0", "~> 4.9.1", False),
    ],
)
def test_constraints_are_read_as_terraform_does(
    candidate: str, constraint: str, expected: bool
) -> None:
    assert satisfies(version(candidate), constraint) is expected


def test_the_check_catches_a_constraint_that_allows_a_broken_version() -> None:
    eip_vpc = next(b for b in DENY_LIST if b.block == "resource.aws_eip" and b.argument == "vpc")
    assert allowed_in(eip_vpc, ">= 3.39, < 7") == ["6.0.0"]
    assert allowed_in(eip_vpc, ">= 3.39, < 6") == []
    s3 = next(b for b in DENY_LIST if b.argument == "lifecycle_rule")
    assert allowed_in(s3, ">= 3.39, != 4.0.0, < 6") == [f"4.{m}.0" for m in range(1, 9)]
    domain = next(b for b in DENY_LIST if b.argument == "domain")
    assert allowed_in(domain, ">= 4.9, < 6") == ["4.9.0"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_module_constraint_covers_the_proven_version(module: Path) -> None:
    constraint = aws_constraint(module)
    assert satisfies(version("3.39.0"), constraint), f"{module.name}: 3.39 is what is proven here"
    assert not satisfies(version("6.0.0"), constraint), f"{module.name}: 6.x is not checked"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_module_uses_no_argument_outside_its_declared_provider_versions(module: Path) -> None:
    constraint = aws_constraint(module)
    used = module_arguments(module)
    problems = []
    for broken in DENY_LIST:
        names = used.get(broken.block)
        if names is None or (broken.argument is not None and broken.argument not in names):
            continue
        allowed = allowed_in(broken, constraint)
        if allowed:
            what = broken.block.split(".", 1)[1] + (
                f".{broken.argument}" if broken.argument else ""
            )
            problems.append(
                f"{what}: {broken.why}, yet versions.tf ({constraint}) allows {', '.join(allowed)}"
            )
    assert not problems, (
        f"modules/{module.name}: "
        + "; ".join(problems)
        + (": narrow the constraint in versions.tf (and say why) or use another argument")
    )
