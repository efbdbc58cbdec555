"""The Terragrunt live tree: its shape, and every unit's inputs against its module.

- every environment (live/<env>, local, dev, prod) has the same units, one per shared definition
  in live/_envcommon/;
- env.hcl holds what identifies the environment and its account, never a unit's settings
  (those are the inputs of live/<env>/<unit>/terragrunt.hcl);
- the inputs Terragrunt passes each unit (`terragrunt render --format json`: the root's, the
  shared definition's and the unit's own, dependencies as their typed mocks) name only variables
  of the module, give every required one, and pass the variables' types and validation blocks
  (`devtools/module-check inputs`: `tofu plan` of the module's variable blocks, as
  `make test-tfvars-examples` checks each module's example; the exit status decides);
- prod's settings are production ones;
- a make target that runs Terragrunt in an environment without env.hcl stops in one line.

dev and prod have no env.hcl in git (it holds account values): they are rendered in a scratch
copy of the repository with their env.hcl.example as env.hcl.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.harness import ROOT
from tests.iac_static import tooling
from tests.iac_static.tooling import make, module_variables, tool

LIVE = ROOT / "live"
SHARED = LIVE / "_envcommon"
ENVIRONMENTS = sorted(
    p.name for p in LIVE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
)
# A real account's environment commits env.hcl.example; its env.hcl is git-ignored.
REAL_ENVIRONMENTS = [env for env in ENVIRONMENTS if (LIVE / env / "env.hcl.example").is_file()]
# What env.hcl may hold: what identifies the environment and its account ...
IDENTITY = {"environment", "emulated", "aws_region", "account_id", "name", "state_bucket", "tags"}
# ... and the values bound to that account that a real one does not commit (the units read them).
ACCOUNT_BOUND = {
    "certificate_arn",
    "domain_name",
    "route53_zone_id",
    "alarm_email",
    "github_repository",
    "create_oidc_provider",
    "oidc_provider_arn",
    # Another environment's account and roles: where prod's images come from, who reads dev's.
    "promote_images_from",
    "image_pull_role_arns",
}
# Names env.hcl's per-unit maps had before the settings moved into the unit files.
OLD_UNIT_MAPS = {"bootstrap", "github_oidc"}
# Parallel renders and consoles: each is a short process, mostly waiting on its own start-up.
WORKERS = 4
MODULE_CHECK = ROOT / "devtools" / "module-check"


def units(env: str) -> list[str]:
    return sorted(p.parent.name for p in (LIVE / env).glob("*/terragrunt.hcl"))


UNITS = [(env, unit) for env in ENVIRONMENTS for unit in units(env)]


def copy_without_env_hcl(env: str, destination: Path) -> Path:
    """live/<env> without its (git-ignored) env.hcl or any cache."""
    ignored = shutil.ignore_patterns("env.hcl", ".terragrunt-cache", ".terraform*")
    shutil.copytree(LIVE / env, destination, ignore=ignored)
    return destination


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("live-tree")


@pytest.fixture(scope="module")
def repos(scratch: Path) -> dict[str, Path]:
    """The repository each environment renders in: this one for the emulator's; for a real
    account's, a scratch copy (the root, the shared definitions and modules linked) holding
    live/<env> with its example as env.hcl."""
    repo = scratch / "repo"
    (repo / "live").mkdir(parents=True)
    for shared in ("terragrunt.hcl", "modules", ".git"):
        (repo / shared).symlink_to(ROOT / shared)
    (repo / "live" / SHARED.name).symlink_to(SHARED)
    for env in REAL_ENVIRONMENTS:
        live = copy_without_env_hcl(env, repo / "live" / env)
        shutil.copy(LIVE / env / "env.hcl.example", live / "env.hcl")
    return {env: repo if env in REAL_ENVIRONMENTS else ROOT for env in ENVIRONMENTS}


@pytest.fixture(scope="module")
def terragrunt_env(scratch: Path) -> dict[str, str]:
    return tooling.terragrunt_env(scratch / "terragrunt-cache")


def render(repo: Path, config_dir: str, env: dict[str, str]) -> dict[str, Any]:
    """The configuration in repo/config_dir, rendered from repo with a relative --working-dir
    as make runs a unit. Without dependent-module discovery: it would scan from the repository
    root and trip on every environment without an env.hcl."""
    command = [tool("TERRAGRUNT"), "render", "--format", "json", "--disable-dependent-modules"]
    result = subprocess.run(
        [*command, "--working-dir", config_dir],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"terragrunt render {config_dir}:\n{result.stderr[-3000:]}"
    rendered: dict[str, Any] = json.loads(result.stdout)
    return rendered


@pytest.fixture(scope="module")
def rendered(repos: dict[str, Path], terragrunt_env: dict[str, str]) -> dict[tuple[str, str], Any]:
    """(env, unit) -> the unit's rendered configuration."""
    with ThreadPoolExecutor(WORKERS) as pool:
        configs = pool.map(
            lambda eu: render(repos[eu[0]], f"live/{eu[0]}/{eu[1]}", terragrunt_env), UNITS
        )
        return dict(zip(UNITS, configs, strict=True))


def module_of(config: dict[str, Any]) -> str:
    """The module a rendered unit runs: the `//<module>` of its terraform source."""
    source: str = config["terraform"]["source"]
    return source.rsplit("//", 1)[-1]


def check_values(
    module: str, var_files: list[Path], work: Path
) -> subprocess.CompletedProcess[str]:
    """`devtools/module-check inputs`: whether every var file passes the module's variables'
    types and validations, by its exit status (make test-tfvars-examples runs the same check)."""
    env = {**os.environ, "TOFU": tool("TOFU"), "TF_CLI_CONFIG_FILE": tool("TOFURC")}
    return subprocess.run(
        [
            str(MODULE_CHECK),
            "inputs",
            str(work),
            str(ROOT / "modules" / module),
            *map(str, var_files),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def var_files(rendered: dict[tuple[str, str], Any], scratch: Path) -> dict[tuple[str, str], Path]:
    """(env, unit) -> the inputs Terragrunt passes it, as a var file."""
    files = {}
    for (env, unit), config in rendered.items():
        var_file = scratch / "inputs" / f"{env}-{unit}.tfvars.json"
        var_file.parent.mkdir(exist_ok=True)
        var_file.write_text(json.dumps(config["inputs"]))
        files[env, unit] = var_file
    return files


@pytest.fixture(scope="module")
def checked(
    rendered: dict[tuple[str, str], Any], var_files: dict[tuple[str, str], Path], scratch: Path
) -> dict[tuple[str, str], subprocess.CompletedProcess[str]]:
    """(env, unit) -> the check of its inputs against its module."""
    with ThreadPoolExecutor(WORKERS) as pool:
        jobs = {
            (env, unit): pool.submit(
                check_values,
                module_of(rendered[env, unit]),
                [var_files[env, unit]],
                scratch / "checks" / env / unit,
            )
            for env, unit in UNITS
        }
        return {unit: job.result() for unit, job in jobs.items()}


def env_settings(env: str, env_file: Path, terragrunt_env: dict[str, str], scratch: Path) -> Any:
    """The locals of an env.hcl, as Terragrunt reads them (read_terragrunt_config)."""
    reader = scratch / "env-settings" / env
    reader.mkdir(parents=True)
    (reader / "terragrunt.hcl").write_text(
        f"locals {{\n  env = read_terragrunt_config({json.dumps(str(env_file))}).locals\n}}\n"
    )
    return render(reader, ".", terragrunt_env)["locals"]["env"]


# The tree's shape ---------------------------------------------------------------------------


def test_every_environment_has_the_same_units_one_per_shared_definition() -> None:
    assert {"local", "dev", "prod"} <= set(ENVIRONMENTS)
    shared = sorted(p.stem for p in SHARED.glob("*.hcl"))
    differing = {env: units(env) for env in ENVIRONMENTS if units(env) != shared}
    assert not differing, (
        f"live/_envcommon/ defines {shared}; these environments differ: {differing}"
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_env_hcl_holds_the_environment_and_its_account_only(
    env: str, repos: dict[str, Path], terragrunt_env: dict[str, str], scratch: Path
) -> None:
    settings = env_settings(env, repos[env] / "live" / env / "env.hcl", terragrunt_env, scratch)
    where = f"live/{env}/env.hcl" + (".example" if env in REAL_ENVIRONMENTS else "")
    unit_maps = sorted(
        k for k in settings if k.replace("_", "-") in units(env) or k in OLD_UNIT_MAPS
    )
    assert not unit_maps, (
        f"{where} has per-unit maps {unit_maps}: a unit's settings are the inputs of "
        f"live/{env}/<unit>/terragrunt.hcl"
    )
    unknown = sorted(set(settings) - IDENTITY - ACCOUNT_BOUND)
    assert not unknown, (
        f"{where} sets {unknown}: env.hcl holds the environment's identity and account-bound "
        "values only (a unit's setting goes in its terragrunt.hcl)"
    )
    assert sorted(IDENTITY - set(settings)) == [], f"{where} lacks identity settings"
    assert settings["environment"] == env, f"{where} names another environment"


@pytest.mark.parametrize("env", REAL_ENVIRONMENTS)
def test_a_real_accounts_env_hcl_is_never_committed(env: str) -> None:
    ignored = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "-q", f"live/{env}/env.hcl"], check=False
    )
    assert ignored.returncode == 0, f"live/{env}/env.hcl is not git-ignored (live/{env}/.gitignore)"


# Every unit's inputs against its module ---------------------------------------------------


@pytest.mark.parametrize(("env", "unit"), UNITS, ids=[f"{e}/{u}" for e, u in UNITS])
def test_the_inputs_name_the_modules_variables(
    env: str, unit: str, rendered: dict[tuple[str, str], Any]
) -> None:
    config = rendered[env, unit]
    module = module_of(config)
    variables = module_variables(ROOT / "modules" / module)
    inputs = set(config["inputs"])
    unknown = sorted(inputs - set(variables))
    missing = sorted(v for v, required in variables.items() if required and v not in inputs)
    # Terragrunt passes inputs as TF_VAR_*, which tofu ignores silently when undeclared.
    assert not unknown, f"live/{env}/{unit} sets {unknown}, which modules/{module} does not declare"
    assert not missing, f"live/{env}/{unit} gives no value for modules/{module}'s {missing}"


@pytest.mark.parametrize(("env", "unit"), UNITS, ids=[f"{e}/{u}" for e, u in UNITS])
def test_the_inputs_pass_the_modules_types_and_validations(
    env: str, unit: str, checked: dict[tuple[str, str], subprocess.CompletedProcess[str]]
) -> None:
    result = checked[env, unit]
    assert result.returncode == 0, (
        f"live/{env}/{unit}: its module refuses an input:\n{result.stderr}"
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("image_tag", "latest", "image_tag must be a valid Docker tag"),
        ("max_body_bytes", 63, "max_body_bytes must be a whole number from 64 to 1048576"),
        ("desired_count", "two", "a number is required"),
    ],
)
def test_the_check_refuses_a_bad_value(
    variable: str,
    value: object,
    message: str,
    var_files: dict[tuple[str, str], Path],
    tmp_path: Path,
) -> None:
    """The same check on local/compute's inputs with one value broken: it fails, naming it."""
    inputs = json.loads(var_files["local", "compute"].read_text())
    assert variable in inputs or variable in module_variables(ROOT / "modules" / "compute")
    broken = tmp_path / "broken.tfvars.json"
    broken.write_text(json.dumps({**inputs, variable: value}))
    result = check_values("compute", [broken], tmp_path / "work")
    assert result.returncode == 1, result.stderr
    assert message in " ".join(result.stderr.split()), result.stderr
    assert f"{broken} has a value" in result.stderr


# prod ---------------------------------------------------------------------------------------


@pytest.fixture
def prod(rendered: dict[tuple[str, str], Any]) -> dict[str, dict[str, Any]]:
    return {unit: rendered["prod", unit]["inputs"] for unit in units("prod")}


@pytest.fixture
def dev(rendered: dict[tuple[str, str], Any]) -> dict[str, dict[str, Any]]:
    return {unit: rendered["dev", unit]["inputs"] for unit in units("dev")}


def test_prod_survives_an_az_and_a_task_loss(prod: dict[str, Any], dev: dict[str, Any]) -> None:
    assert prod["networking"]["single_nat_gateway"] is False, "prod: one NAT gateway per AZ"
    compute = prod["compute"]
    assert compute["autoscaling_min_capacity"] >= 2, "prod: one task down leaves others serving"
    assert (
        compute["autoscaling_min_capacity"]
        <= compute["desired_count"]
        <= compute["autoscaling_max_capacity"]
    )
    assert compute["desired_count"] > dev["compute"]["desired_count"]
    assert compute["autoscaling_max_capacity"] > dev["compute"]["autoscaling_max_capacity"]


def test_prod_keeps_what_a_mistake_would_delete(prod: dict[str, Any], dev: dict[str, Any]) -> None:
    compute, secrets = prod["compute"], prod["secrets"]
    assert compute["alb_deletion_protection"] is True
    assert compute.get("alb_access_logs_force_destroy", False) is False
    assert secrets["recovery_window_in_days"] >= 7, "prod: a deleted secret can be restored"
    assert secrets["kms_deletion_window_in_days"] >= dev["secrets"]["kms_deletion_window_in_days"]
    for unit, days in (
        ("compute", "log_retention_days"),
        ("compute", "alb_access_logs_expiration_days"),
        ("networking", "flow_logs_retention_days"),
    ):
        assert prod[unit][days] > dev[unit][days], f"prod keeps {unit}'s {days} longer than dev"


def test_prod_serves_https_on_its_domain_logs_and_is_watched(prod: dict[str, Any]) -> None:
    compute = prod["compute"]
    assert compute["enable_https"] is True
    assert compute["certificate_arn"], "HTTPS needs the certificate (env.hcl: certificate_arn)"
    assert compute["domain_name"], "prod: a name the certificate covers (env.hcl: domain_name)"
    assert compute["route53_zone_id"], "the domain's zone (env.hcl: route53_zone_id)"
    assert compute["alb_access_logs_enabled"] is True
    assert prod["prometheus"]["enabled"] is True
    assert prod["observability"]["alarm_email"], "prod's alarms page someone"


def test_real_environments_sit_behind_a_web_acl_and_within_a_budget(
    prod: dict[str, Any], dev: dict[str, Any]
) -> None:
    for env, inputs in (("dev", dev), ("prod", prod)):
        assert inputs["waf"]["enabled"] is True, f"{env}: the web ACL holds limits across tasks"
        tag = inputs["observability"]["budget"]["cost_allocation_tag"]
        assert tag == {"key": "Environment", "value": env}, f"{env}'s budget counts {env}'s costs"
    assert (
        prod["observability"]["budget"]["limit_usd"] > dev["observability"]["budget"]["limit_usd"]
    )
    assert prod["waf"]["log_retention_days"] > dev["waf"]["log_retention_days"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_apply_role_may_write_the_state_of_every_other_unit_and_no_more(
    env: str, rendered: dict[tuple[str, str], Any]
) -> None:
    """github-oidc's state_key_prefix and state_units name exactly the keys the root's
    remote_state gives the environment's other units."""
    oidc = rendered[env, "github-oidc"]["inputs"]
    granted = {f"{oidc['state_key_prefix']}{u}/terraform.tfstate" for u in oidc["state_units"]}
    keys = {u: rendered[env, u]["remote_state"]["config"]["key"] for u in units(env)}
    assert granted == {key for unit, key in keys.items() if unit != "github-oidc"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environments_roles_trust_its_own_github_environments(
    env: str, rendered: dict[tuple[str, str], Any]
) -> None:
    """One GitHub environment per role, each named after the environment (the deploy workflow's
    jobs run in `<env>` and `<env>-images`, the pull-request plan in `<env>-plan`)."""
    inputs = rendered[env, "github-oidc"]["inputs"]
    trusted = {
        role: inputs[variable]
        for role, variable in (
            ("apply", "github_environments"),
            ("push", "push_github_environments"),
            ("plan", "plan_github_environments"),
        )
    }
    assert trusted == {"apply": [env], "push": [f"{env}-images"], "plan": [f"{env}-plan"]}


# make without env.hcl -----------------------------------------------------------------------


@pytest.fixture
def terragrunt_stub(tmp_path: Path) -> tuple[Path, Path]:
    """A terragrunt/tofu stand-in that only records that it ran."""
    marker = tmp_path / "terragrunt-ran"
    stub = tmp_path / "terragrunt"
    stub.write_text(f"#!/bin/sh\ntouch {marker}\n")
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return stub, marker


@pytest.mark.parametrize("target", ["plan", "deploy", "destroy"])
@pytest.mark.parametrize("env", REAL_ENVIRONMENTS)
def test_without_env_hcl_make_stops_in_one_line_before_terragrunt(
    env: str, target: str, tmp_path: Path, terragrunt_stub: tuple[Path, Path]
) -> None:
    live = copy_without_env_hcl(env, tmp_path / env)
    stub, marker = terragrunt_stub
    result = make(target, f"ENV={env}", f"LIVE_DIR={live}", f"TERRAGRUNT={stub}", f"TOFU={stub}")
    assert result.returncode != 0
    assert result.stdout == "", "a command ran"
    assert not marker.exists(), "terragrunt ran"
    [line] = result.stderr.splitlines()
    assert f"{live}/env.hcl is missing" in line
    assert f"copy {live}/env.hcl.example" in line
    assert f"make env-hcl ENV={env}" in line


def test_an_env_hcl_of_the_old_shape_stops_make_in_one_line(
    tmp_path: Path, terragrunt_stub: tuple[Path, Path]
) -> None:
    live = copy_without_env_hcl("prod", tmp_path / "prod")
    example = (LIVE / "prod" / "env.hcl.example").read_text().rstrip()
    assert example.endswith("}")
    old_shape = example[:-1] + "  networking = {\n    single_nat_gateway = true\n  }\n}\n"
    (live / "env.hcl").write_text(old_shape)
    stub, marker = terragrunt_stub
    result = make("plan", "ENV=prod", f"LIVE_DIR={live}", f"TERRAGRUNT={stub}", f"TOFU={stub}")
    assert result.returncode != 0
    assert not marker.exists(), "terragrunt ran"
    [line] = result.stderr.splitlines()
    assert f"{live}/env.hcl has per-unit maps (networking)" in line
    assert f"{live}/<unit>/terragrunt.hcl" in line


def test_an_unknown_environment_stops_make_in_one_line() -> None:
    result = make("plan", "ENV=nowhere")
    assert result.returncode != 0
    [line] = result.stderr.splitlines()
    assert "ENV=nowhere: no environment live/nowhere" in line
    assert f"environments: {' '.join(ENVIRONMENTS)}" in line
