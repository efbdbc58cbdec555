"""plan.txt says what it is and is current with the files it was planned from.

`make plan-file` records a digest of its inputs (devtools.plan_file.INPUTS) in the header; this
recomputes it, so a change to a module, the live tree or a pin fails until plan.txt is
regenerated. The digest's own behaviour is checked on a scratch repository.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from devtools import plan_file
from tests.harness import ROOT

PLAN = ROOT / "plan.txt"
STALE = "plan.txt is stale: run make plan-file"


def header() -> list[str]:
    return [line for line in PLAN.read_text().splitlines()[:12] if line.startswith("#")]


def test_plan_txt_is_current() -> None:
    env, digest = plan_file.recorded(PLAN.read_text())
    assert env, f"plan.txt records no environment: {STALE}"
    assert digest, f"plan.txt records no inputs digest: {STALE}"
    assert digest == plan_file.inputs_digest(env), f"{STALE} ENV={env}"


def test_the_header_says_what_the_plan_is() -> None:
    pins = plan_file.versions()
    text = "\n".join(header())
    for fact in (
        "emulator environment",
        "live/local",
        f"hashicorp/aws {pins['AWS_PROVIDER_VERSION']} from the offline filesystem mirror",
        f"OpenTofu v{pins['OPENTOFU_VERSION']}",
        f"terragrunt v{pins['TERRAGRUNT_VERSION']}",
        "`make plan-file ENV=local`",
    ):
        assert fact in text, f"plan.txt's header does not say {fact!r}: {STALE}"


def scratch_repo(root: Path) -> Path:
    files = {
        "modules/m/main.tf": 'resource "null" "x" {}\n',
        "modules/m/README.md": "not an input\n",
        "live/local/env.hcl": "locals {}\n",
        "live/local/u/terragrunt.hcl": "include {}\n",
        "live/dev/env.hcl": "another environment\n",
        "live/_envcommon/u.hcl": "terraform {}\n",
        "monitoring/rules/slo.rules.yml": "groups: []\n",
        "monitoring/rules/README.md": "not an input\n",
        "terragrunt.hcl": "locals {}\n",
        "versions.env": "X=1\n",
        "devtools/plan_file.py": "# generator\n",
        ".gitignore": ".terragrunt-cache/\n.terraform.lock.hcl\n",
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    return root


def test_the_inputs_are_the_plans_sources_only(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path)
    assert plan_file.input_files("local", root) == [
        "devtools/plan_file.py",
        "live/_envcommon/u.hcl",
        "live/local/env.hcl",
        "live/local/u/terragrunt.hcl",
        "modules/m/main.tf",
        "monitoring/rules/slo.rules.yml",
        "terragrunt.hcl",
        "versions.env",
    ]


@pytest.mark.parametrize(
    "change",
    [
        "edit a module",
        "edit env.hcl",
        "rename a module file",
        "add an untracked unit file",
        "delete a tracked file",
    ],
)
def test_the_digest_follows_every_input_change(tmp_path: Path, change: str) -> None:
    root = scratch_repo(tmp_path)
    before = plan_file.inputs_digest("local", root)
    if change == "edit a module":
        (root / "modules/m/main.tf").write_text('resource "null" "y" {}\n')
    elif change == "edit env.hcl":
        (root / "live/local/env.hcl").write_text("locals { x = 1 }\n")
    elif change == "rename a module file":
        (root / "modules/m/main.tf").rename(root / "modules/m/other.tf")
    elif change == "add an untracked unit file":
        (root / "live/local/v").mkdir()
        (root / "live/local/v/terragrunt.hcl").write_text("include {}\n")
    else:
        (root / "live/_envcommon/u.hcl").unlink()
    assert plan_file.inputs_digest("local", root) != before, f"{change}: the digest did not change"


def test_the_digest_ignores_metadata_caches_and_other_files(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path)
    before = plan_file.inputs_digest("local", root)
    os.utime(root / "modules/m/main.tf", (0, 0))
    (root / "terragrunt.hcl").chmod(0o600)
    (root / "modules/m/README.md").write_text("edited docs\n")
    (root / "live/dev/env.hcl").write_text("edited dev\n")
    (root / "live/local/u/.terragrunt-cache").mkdir()
    (root / "live/local/u/.terragrunt-cache/x.tf").write_text("cache\n")
    (root / "live/local/u/.terraform.lock.hcl").write_text("lock\n")
    assert plan_file.inputs_digest("local", root) == before


def test_a_header_without_a_digest_reads_as_none() -> None:
    assert plan_file.recorded("# Environment: local (live/local)\n\nbody\n# Inputs: x") == (
        "local",
        None,
    )


PLAN_A = """# plan.txt: header
# Inputs: sha256:aaaa (x)

== unit: networking
  + resource "aws_vpc" "this" {
      + id         = "vpc-0a1b2c3d4e5f60718"
      + key_id     = "0d6c9a3e-1f2b-4c5d-8e9f-0a1b2c3d4e5f"
      + created_at = "2026-12-04T21:07:37Z"
      + cidr_block = "10.0.0.0/16"
    }
"""


def test_the_comparison_ignores_the_header_ids_and_times() -> None:
    again = (
        PLAN_A.replace("sha256:aaaa", "sha256:bbbb")
        .replace("vpc-0a1b2c3d4e5f60718", "vpc-99aa88bb")
        .replace("0d6c9a3e-1f2b-4c5d-8e9f-0a1b2c3d4e5f", "11111111-2222-3333-4444-555555555555")
        .replace("2026-12-04T21:07:37Z", "2027-01-01T00:00:00.123+01:00")
    )
    assert plan_file.comparable(again) == plan_file.comparable(PLAN_A)
    assert plan_file.comparable(PLAN_A)[0] == "", "the body starts after the header"


def test_the_comparison_sees_a_changed_plan() -> None:
    changed = PLAN_A.replace('"10.0.0.0/16"', '"10.1.0.0/16"')
    assert plan_file.comparable(changed) != plan_file.comparable(PLAN_A)
    assert plan_file.comparable(PLAN_A + "  + one more line\n") != plan_file.comparable(PLAN_A)
