"""The deploy workflow's unit choice is the live tree's units, and make is what checks a unit.

GitHub needs the workflow_dispatch choice as a literal list, so it is compared with what
Terragrunt's DAG says (ops.units): `all`, then every unit of live/local in apply order, minus
the unit of CI's own roles (make's CI_ROLES_UNIT), which CI never applies. The YAML keeps no
second list to drift: `make ... MODULE=` refuses what is not a unit, and in CI the roles unit.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from ops import units
from tests.harness import ROOT
from tests.iac_static import tooling
from tests.iac_static.tooling import tool

LIVE = ROOT / "live"
DEPLOY_WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"
# The workflow always passes the commit it deploys.
TAG = "0123456789abcdef0123456789abcdef01234567"


def make(*args: str, ci: str = "") -> subprocess.CompletedProcess[str]:
    """make with CI as the test says (set: the pipeline's path)."""
    return tooling.make("-s", *args, env={"CI": ci})


def make_variable(name: str) -> str:
    result = make(f"--eval=print-variable: ; @echo $({name})", "print-variable")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def unit_choice() -> list[str]:
    workflow: dict[Any, Any] = yaml.safe_load(DEPLOY_WORKFLOW.read_text())
    options: list[str] = workflow[True]["workflow_dispatch"]["inputs"]["module"]["options"]
    return options


def unit_dirs(live: Path) -> list[str]:
    return sorted(path.parent.name for path in live.glob("*/terragrunt.hcl"))


def test_the_unit_choice_is_every_unit_ci_applies_in_apply_order() -> None:
    roles = make_variable("CI_ROLES_UNIT")
    order = units.order(tool("TERRAGRUNT"), LIVE / "local")
    assert roles in order, f"CI_ROLES_UNIT={roles} is not a unit of live/local"
    assert unit_choice() == ["all", *(unit for unit in order if unit != roles)]


def test_every_real_environment_has_the_units_the_choice_is_derived_from() -> None:
    # The order is read from live/local, the one environment whose env.hcl is committed.
    real = [example.parent for example in LIVE.glob("*/env.hcl.example")]
    assert real
    for live in real:
        assert unit_dirs(live) == unit_dirs(LIVE / "local"), live.name


def test_the_workflow_keeps_no_list_of_units_of_its_own() -> None:
    steps = yaml.safe_load(DEPLOY_WORKFLOW.read_text())["jobs"]["setup"]["steps"]
    check = next(step for step in steps if step.get("name") == "Check the inputs")
    for unit in unit_dirs(LIVE / "local"):
        assert not re.search(rf"\b{re.escape(unit)}\b", check["run"]), unit


def test_make_stops_in_one_line_naming_the_units_on_a_module_that_is_none() -> None:
    result = make("-n", "deploy", "ENV=local", "MODULE=no-such-unit")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "MODULE=no-such-unit: no unit live/local/no-such-unit" in result.stderr
    named = re.search(r"units: ([a-z0-9 -]+)\.  Stop\.$", result.stderr.strip())
    assert named, result.stderr
    assert named.group(1).split() == unit_dirs(LIVE / "local")


def test_ci_applies_every_choice_and_refuses_the_roles_unit(dev_live: str) -> None:
    roles = make_variable("CI_ROLES_UNIT")
    on_dev = ("-n", "deploy", "ENV=dev", f"LIVE_DIR={dev_live}", f"IMAGE_TAG={TAG}")
    for choice in unit_choice():
        module = "" if choice == "all" else choice
        applied = make(*on_dev, f"MODULE={module}", ci="true")
        assert applied.returncode == 0, (choice, applied.stderr)
        if not module:
            assert f"--queue-exclude-dir {roles}" in applied.stdout

    refused = make(*on_dev, f"MODULE={roles}", ci="true")
    assert refused.returncode != 0
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert f"MODULE={roles}: CI never applies the unit of its own roles" in refused.stderr
    assert f"make deploy ENV=dev MODULE={roles}" in refused.stderr
    # An operator outside CI applies it, on the emulator as on AWS (the rehearsal's operator).
    assert make(*on_dev, f"MODULE={roles}").returncode == 0
    assert make("-n", "deploy", "ENV=local", f"MODULE={roles}").returncode == 0
    assert make("-n", "deploy", "ENV=local", f"MODULE={roles}", ci="true").returncode != 0
    assert f"--queue-exclude-dir {roles}" in make("-n", "deploy", "ENV=local", ci="true").stdout
