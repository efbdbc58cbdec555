"""The root terragrunt.hcl and the make targets around it, without an emulator.

- the emulator's plumbing reaches ENV=local only;
- plan and deploy never bootstrap the state bucket, and deploy checks for an API key instead of
  seeding one, on every environment (the emulator's included: both are an operator's steps);
  real environments get providers from the registry.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.harness import ROOT
from tests.iac_static.tooling import make, terragrunt


def test_version_constraints_admit_the_pinned_tools() -> None:
    root = (ROOT / "terragrunt.hcl").read_text()
    lines = (ROOT / "versions.env").read_text().splitlines()
    pins = dict(line.split("=", 1) for line in lines if "=" in line)
    assert f'terragrunt_version_constraint = ">= {pins["TERRAGRUNT_VERSION"]}' in root
    major, minor, _ = pins["OPENTOFU_VERSION"].split(".")
    assert f'terraform_version_constraint  = ">= {major}.{minor}.0' in root


def render_provider(tmp_path: Path, live: Path) -> str:
    # Without dependent-module discovery: it scans from the repository root and trips on every
    # environment without an env.hcl.
    result = terragrunt(
        tmp_path,
        "render",
        "--format",
        "json",
        "--disable-dependent-modules",
        "--working-dir",
        str(live),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_emulator_plumbing_reaches_the_emulated_environment_only(tmp_path: Path) -> None:
    # A real environment's tree: the dev example as its env.hcl, in a copy of the repository's
    # layout (the root, the shared unit definitions and modules are linked, not copied).
    copy = tmp_path / "repo"
    (copy / "live").mkdir(parents=True)
    for shared in ("terragrunt.hcl", "modules", ".git"):
        (copy / shared).symlink_to(ROOT / shared)
    (copy / "live" / "_envcommon").symlink_to(ROOT / "live" / "_envcommon")
    shutil.copytree(ROOT / "live" / "dev", copy / "live" / "dev")
    shutil.copy(ROOT / "live/dev/env.hcl.example", copy / "live/dev/env.hcl")

    real = render_provider(tmp_path, copy / "live/dev/registry")
    local = render_provider(tmp_path, ROOT / "live/local/registry")
    for plumbing in ("127.0.0.1", "skip_credentials_validation", "force_path_style"):
        assert plumbing not in real, plumbing
        assert plumbing in local, plumbing
    # No credentials in any generated provider: make sets the emulator's (the caller's, in the
    # rehearsal: docs/infrastructure.md, "IAM on the emulator"), AWS profiles the real ones.
    for rendered in (real, local):
        assert "access_key" not in rendered
        assert "testing" not in rendered
    assert '"use_lockfile":true' in real.replace(" ", "")
    assert "dynamodb_table" not in real + local


def dry_run(*args: str, env: dict[str, str] | None = None) -> str:
    result = make("-n", *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


TAG = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize("target", ["plan", "deploy", "destroy"])
def test_no_run_bootstraps_the_backend(dev_live: str, target: str) -> None:
    for env in ("local", "dev"):
        extra = [f"LIVE_DIR={dev_live}", f"IMAGE_TAG={TAG}"] if env == "dev" else []
        commands = dry_run(target, f"ENV={env}", *extra)
        assert "--backend-bootstrap" not in commands, (env, target)


def test_only_the_operator_step_bootstraps(dev_live: str) -> None:
    commands = dry_run("backend-bootstrap", "ENV=dev", f"LIVE_DIR={dev_live}")
    assert "backend bootstrap --non-interactive" in commands
    # The emulator's deploy is the same: its operator's first steps (make first-deploy) do it.
    assert "backend bootstrap --non-interactive" not in dry_run("deploy", "ENV=local")
    assert "backend bootstrap --non-interactive" in dry_run("first-deploy", "ENV=local")


def test_no_deploy_seeds_a_key(dev_live: str) -> None:
    for ci in ("", "true"):
        for env in (["ENV=dev", f"LIVE_DIR={dev_live}"], ["ENV=local"]):
            commands = dry_run("deploy", *env, f"IMAGE_TAG={TAG}", env={"CI": ci})
            assert "ops.keytool" in commands, env
            assert " check" in commands, env
            assert " seed" not in commands, env
            assert "ops.state_bucket check" in commands, env


def test_only_a_deploy_that_runs_the_service_checks_for_a_key(dev_live: str) -> None:
    """The first deploy applies the secrets unit before an operator seeds its first key."""
    for module in ("secrets", "registry", "observability"):
        commands = dry_run("deploy", "ENV=dev", f"LIVE_DIR={dev_live}", f"MODULE={module}")
        assert "ops.keytool" not in commands, module
    compute = dry_run(
        "deploy", "ENV=dev", f"LIVE_DIR={dev_live}", "MODULE=compute", f"IMAGE_TAG={TAG}"
    )
    assert "ops.keytool" in compute


@pytest.mark.parametrize("module", ["", "compute"])
def test_a_real_deploy_of_the_service_names_its_image_in_one_line(
    dev_live: str, module: str
) -> None:
    """ECR holds commit-SHA tags only: the compute unit's placeholder tag was never pushed."""
    result = make(
        "-n", "deploy", "ENV=dev", f"LIVE_DIR={dev_live}", f"MODULE={module}", drop=("IMAGE_TAG",)
    )
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "name the image the service runs: IMAGE_TAG=<commit SHA" in result.stderr
    assert "terragrunt" not in result.stdout, "nothing ran"
    # Plans and the local emulator (it deploys this checkout's HEAD by default) need no tag.
    assert dry_run("plan", "ENV=dev", f"LIVE_DIR={dev_live}", f"MODULE={module}")
    assert dry_run("deploy", "ENV=local", f"MODULE={module}")


def test_real_environments_use_the_registry_and_the_committed_lock_files(dev_live: str) -> None:
    real = dry_run("plan", "ENV=dev", f"LIVE_DIR={dev_live}", env={"CI": ""})
    assert "TF_CLI_CONFIG_FILE" not in real, "the offline mirror is for ENV=local and tests"
    in_ci = dry_run("plan", "ENV=dev", f"LIVE_DIR={dev_live}", env={"CI": "true"})
    assert "TF_CLI_ARGS_init=-lockfile=readonly" in in_ci
    assert "TF_CLI_CONFIG_FILE" in dry_run("plan", "ENV=local")
