"""Fixtures of the static IaC tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.harness import ROOT


@pytest.fixture
def dev_live(tmp_path: Path) -> str:
    """live/dev with an env.hcl (the example), outside the repository's git-ignored copy."""
    live = tmp_path / "dev"
    shutil.copytree(ROOT / "live" / "dev", live)
    shutil.copy(live / "env.hcl.example", live / "env.hcl")
    return str(live)
