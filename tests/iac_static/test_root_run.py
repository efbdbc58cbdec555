"""`terragrunt run --all` typed where several environments sit below stops in one line.

live/terragrunt.stack.hcl is read before any unit (Terragrunt generates stacks first), so at
the repository root or in live/ the run stops with its message and parses, inits and plans
nothing, in both spellings (`run --all` and 0.89's deprecated `run-all`, which pipelines still
type). Inside one environment the stack file is not read and every unit runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import ROOT
from tests.iac_static.tooling import terragrunt

ENVIRONMENTS = sorted(
    p.name for p in (ROOT / "live").iterdir() if any(p.glob("env.hcl*")) and p.name != "_envcommon"
)
MESSAGE = (
    f"terragrunt: live/ holds the environments {', '.join(ENVIRONMENTS)}; run Terragrunt in one "
    "of them: terragrunt run --all --working-dir live/<env> -- plan (or: make plan ENV=<env>)"
)
SPELLINGS = {
    "run --all": ["run", "--all", "--", "plan", "-input=false"],
    "run-all": ["run-all", "plan", "-input=false"],
}


@pytest.mark.parametrize("where", [ROOT, ROOT / "live"], ids=["repository root", "live"])
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_run_over_several_environments_stops_in_one_line(
    tmp_path: Path, where: Path, spelling: str
) -> None:
    result = terragrunt(tmp_path, *SPELLINGS[spelling], cwd=where)

    assert result.returncode != 0
    # Terragrunt's own lines carry a level; 0.89 warns that `run-all` is deprecated.
    lines = [line for line in result.stderr.splitlines() if " WARN " not in line]
    assert lines[0] == MESSAGE, result.stderr[-3000:]
    # Stopped before any unit: nothing parsed (no env.hcl lookup failed), nothing downloaded.
    assert "ParentFileNotFoundError" not in result.stderr
    assert "live/local/" not in result.stdout + result.stderr
    assert not (tmp_path / "cache").exists()


def test_a_run_in_one_environment_runs_every_unit(tmp_path: Path) -> None:
    """`version` needs no emulator; the `run-all plan` spelling runs on the emulator's stack
    (the apply-cycle suite)."""
    units = sorted(p.parent.name for p in (ROOT / "live" / "local").glob("*/terragrunt.hcl"))
    result = terragrunt(tmp_path, "run", "--all", "--", "version", cwd=ROOT / "live" / "local")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "holds the environments" not in result.stderr
    assert result.stdout.count("OpenTofu v") == len(units), result.stdout
