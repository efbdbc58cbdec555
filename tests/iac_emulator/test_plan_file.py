"""plan.txt is what `make plan-file` prints now: planned again and compared, body for body.

The fast check in tests/iac_static/test_plan_file.py only sees whether the files plan.txt was
made from changed; this one plans every unit again (its own empty emulator, as the generator
always does) and compares the plans, with the ids and times that differ between two runs
normalised (devtools.plan_file.comparable).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from devtools import plan_file
from tests.harness import ROOT
from tests.harness.emulator import Emulator

COMMITTED = ROOT / "plan.txt"


def test_plan_txt_is_a_fresh_plan(emulator: Emulator, tmp_path: Path) -> None:
    fresh = tmp_path / "plan.txt"
    emulator.timed_make("plan-file, every unit (make plan-file)", "plan-file", f"PLAN_FILE={fresh}")
    committed = plan_file.comparable(COMMITTED.read_text())
    planned = plan_file.comparable(fresh.read_text())
    if committed != planned:
        diff = "\n".join(
            difflib.unified_diff(committed, planned, "plan.txt", "a fresh plan", lineterm="", n=2)
        )
        pytest.fail(f"plan.txt is stale: run make plan-file\n{diff[:6000]}")
