"""ops/tofu-saved-plans on a stack of throwaway units (terraform_data only, local state): the
three cases of a saved plan applied by `terragrunt run --all apply --out-dir`, with the real
terragrunt and tofu. The deployed stack's own case (another image tag) is
tests/containers/test_local_deployment.py's; the whole first deploy is the rehearsal's.

Without the check, Terragrunt applies a dependent's saved plan with the mock outputs it was
planned on (shown by the first test's last assertion, on the plan file itself).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from ops.saved_plan import summary, was_empty
from tests.harness import ROOT
from tests.iac_static.tooling import tool

NETWORK = """
variable "cidr" { type = string }
resource "terraform_data" "vpc" { input = var.cidr }
output "cidr" { value = var.cidr }
"""
# A dependent whose resources, not only their values, follow its inputs: one subnet per entry.
SERVICE = """
variable "cidr" { type = string }
variable "zones" { type = list(string) }
resource "terraform_data" "subnet" {
  for_each = toset(var.zones)
  input    = "${var.cidr}/${each.key}"
}
output "subnets" { value = sort([for s in terraform_data.subnet : s.input]) }
"""
SERVICE_CONFIG = """
dependency "network" {
  config_path = "../network"
  mock_outputs = { cidr = "10.99.0.0/16" }
  mock_outputs_allowed_terraform_commands = ["plan"]
}
inputs = {
  cidr  = dependency.network.outputs.cidr
  zones = split(",", get_env("ZONES", "a,b"))
}
"""


def stack(root: Path) -> Path:
    live = root / "live"
    for unit, module, config in (
        ("network", NETWORK, 'inputs = { cidr = get_env("CIDR", "10.0.0.0/16") }\n'),
        ("service", SERVICE, SERVICE_CONFIG),
    ):
        (live / unit).mkdir(parents=True)
        (live / unit / "main.tf").write_text(module)
        (live / unit / "terragrunt.hcl").write_text(config)
    return live


def run_all(live: Path, command: str, plans: Path, **env: str) -> subprocess.CompletedProcess[str]:
    flags = ["--tf-path", str(ROOT / "ops" / "tofu-saved-plans"), "--out-dir", str(plans)]
    if command == "plan":
        flags += ["--json-out-dir", str(plans)]
    flags += ["--", command, "-input=false"]
    return subprocess.run(
        [tool("TERRAGRUNT"), "run", "--all", "--working-dir", str(live), *flags],
        env={
            **os.environ,
            "SAVED_PLAN_TOFU": tool("TOFU"),
            "TF_CLI_CONFIG_FILE": "/dev/null",
            "TG_NON_INTERACTIVE": "true",
            "TG_NO_COLOR": "true",
            "TG_DOWNLOAD_DIR": str(live.parent / "cache"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def outputs(live: Path, unit: str) -> dict[str, object]:
    state = json.loads((live / unit / "terraform.tfstate").read_text())
    return {name: output["value"] for name, output in state["outputs"].items()}


def refusals(done: subprocess.CompletedProcess[str]) -> set[str]:
    return {
        line.split("tofu-saved-plans: ", 1)[-1].strip()
        for line in (done.stdout + done.stderr).splitlines()
        if "saved-plan: service:" in line and "Failed to execute" not in line
    }


def test_a_new_unit_planned_on_mocks_is_planned_again_and_created_as_approved(
    tmp_path: Path,
) -> None:
    live, plans = stack(tmp_path), tmp_path / "plans"
    assert run_all(live, "plan", plans).returncode == 0
    approved = json.loads((plans / "service" / "tfplan.json").read_text())
    assert approved["variables"]["cidr"]["value"] == "10.99.0.0/16", "planned on the mock"
    shown = summary(plans, "Plan of test")
    assert "| network | 1 | 0 | 0 | new:" in shown
    assert "| service | 2 | 0 | 0 | new:" in shown
    assert '+ input  = "10.99.0.0/16/a"' in shown, "the approver reads tofu's own plan text"

    applied = run_all(live, "apply", plans)
    assert applied.returncode == 0, applied.stderr[-3000:]
    assert (
        "saved-plan: service: new unit, planned on placeholders of cidr; planned again on the "
        "real values: the same 2 resources, created as approved"
    ) in applied.stderr
    assert outputs(live, "service")["subnets"] == ["10.0.0.0/16/a", "10.0.0.0/16/b"]


def test_a_unit_whose_dependency_changed_its_outputs_in_the_same_apply_is_refused(
    tmp_path: Path,
) -> None:
    live, plans = stack(tmp_path), tmp_path / "plans"
    assert run_all(live, "plan", plans).returncode == 0
    assert run_all(live, "apply", plans).returncode == 0
    before = outputs(live, "service")
    # Day 2: the network changes; the service's plan was made on the network's old outputs.
    assert run_all(live, "plan", plans, CIDR="10.1.0.0/16").returncode == 0
    done = run_all(live, "apply", plans, CIDR="10.1.0.0/16")
    assert done.returncode != 0
    assert outputs(live, "network")["cidr"] == "10.1.0.0/16", "the network's plan was fresh"
    assert refusals(done) == {
        "saved-plan: service: its inputs changed since the approved plan (cidr): a unit it "
        "depends on changed them, or the deploy was given other values; nothing of it was "
        "applied: plan and approve again"
    }
    assert outputs(live, "service") == before, "nothing of the service was applied"


def test_a_new_unit_that_would_create_other_resources_than_approved_is_refused(
    tmp_path: Path,
) -> None:
    live, plans = stack(tmp_path), tmp_path / "plans"
    assert run_all(live, "plan", plans).returncode == 0
    # Between the plan and the apply, the inputs come to name a third subnet.
    done = run_all(live, "apply", plans, ZONES="a,b,c")
    assert done.returncode != 0
    assert refusals(done) == {
        "saved-plan: service: a new unit planned on its dependencies' placeholders; on their "
        "real outputs (cidr, zones) it would not create exactly what was approved (more: "
        "['terraform_data.subnet[\"c\"]']; fewer: none): nothing of it was applied: plan and "
        "approve again"
    }
    assert not (live / "service" / "terraform.tfstate").exists() or not outputs(live, "service")


def test_a_unit_is_new_when_its_prior_state_holds_data_sources_only() -> None:
    """A plan reads data sources into its prior state: a unit never applied has them too."""

    def prior(*modules: dict[str, Any]) -> dict[str, Any]:
        root = {
            "resources": [{"mode": "data", "address": "data.aws_region.this"}],
            "child_modules": list(modules),
        }
        return {"prior_state": {"values": {"root_module": root}}}

    assert was_empty(prior())
    assert was_empty(prior({"resources": [{"mode": "data", "address": "module.a.data.x.y"}]}))
    assert not was_empty(prior({"resources": [{"mode": "managed", "address": "module.a.x.y"}]}))
