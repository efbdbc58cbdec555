"""The minimum Python of versions.env is the one every other place names (they cannot read it).

pyproject.toml (packaging, ruff, mypy), the workflows' setup-python and the app image's base
each spell the version themselves; make reads versions.env. A bump that misses one fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

from tests.harness import ROOT


def pins() -> dict[str, str]:
    lines = (ROOT / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_every_place_names_the_minimum_python_of_versions_env() -> None:
    minimum = pins()["PYTHON_MIN"]
    major, minor = minimum.split(".")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == f">={minimum}"
    assert project["tool"]["ruff"]["target-version"] == f"py{major}{minor}"
    assert project["tool"]["mypy"]["python_version"] == minimum
    workflows = [p.read_text() for p in sorted((ROOT / ".github/workflows").glob("*.yml"))]
    named = {v for text in workflows for v in re.findall(r'python-version: "([^"]+)"', text)}
    assert named == {minimum}
    base = re.search(
        r"^FROM python:(\d+\.\d+)\.\S* AS python-upstream$",
        (ROOT / "Dockerfile").read_text(),
        re.M,
    )
    assert base is not None
    assert base.group(1) == minimum


def test_make_refuses_a_python_older_than_the_pin_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "venv", "PYTHON_MIN=99.0", f"VENV={tmp_path / 'venv'}"],
        env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Python >= 99.0 is required (versions.env PYTHON_MIN)" in result.stderr
    assert not (tmp_path / "venv").exists(), "nothing is installed with the wrong Python"
