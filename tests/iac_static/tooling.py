"""What the static IaC tests share: the pinned tools, make run as a caller would, and what a
module declares. One copy each, so every test runs Terragrunt and make the same way."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.harness import ROOT

# Blocks are top-level and `tofu fmt` (make test-iac-static) fixes their indentation, so a
# line scan is enough: `variable "x" {` at column 0 up to the first `}` at column 0.
VARIABLE_BLOCK = re.compile(r'^variable\s+"([^"]+)"\s*\{\n(.*?)^\}', re.M | re.S)
HAS_DEFAULT = re.compile(r"^  default\s*=", re.M)


def tool(name: str) -> str:
    """The path of a pinned tool make passes in (TOFU, TERRAGRUNT, TOFURC)."""
    path = os.environ.get(name, "")
    if not Path(path).exists():
        pytest.fail(f"{name} is not set to a built tool: run through `make test-iac-static`")
    return path


def terragrunt_env(download_dir: Path) -> dict[str, str]:
    """Terragrunt on the pinned tofu and the offline mirror, its cache in download_dir."""
    return {
        **os.environ,
        "TG_TF_PATH": tool("TOFU"),
        "TF_CLI_CONFIG_FILE": tool("TOFURC"),
        "TG_DOWNLOAD_DIR": str(download_dir),
        "TG_NON_INTERACTIVE": "true",
        "TG_NO_COLOR": "true",
    }


def terragrunt(scratch: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """terragrunt ARGS in cwd; its cache goes under scratch/cache."""
    return subprocess.run(
        [tool("TERRAGRUNT"), *args],
        cwd=cwd,
        env=terragrunt_env(scratch / "cache"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def make(
    *args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """make ARGS in the repository, as a person types it: without the MAKEFLAGS of a make this
    may run under, without the variables named in drop, plus env."""
    dropped = ("MAKE", *drop)
    base = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def module_variables(module: Path) -> dict[str, bool]:
    """Variable name -> required (no default), in declaration order across the .tf files."""
    variables: dict[str, bool] = {}
    for tf in sorted(module.glob("*.tf")):
        for match in VARIABLE_BLOCK.finditer(tf.read_text()):
            variables[match.group(1)] = not HAS_DEFAULT.search(match.group(2))
    return variables
