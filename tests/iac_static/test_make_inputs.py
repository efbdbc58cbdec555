"""Inputs that reach shells through make are refused before make expands them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.harness import ROOT


@pytest.mark.parametrize(
    "tag",
    [
        "abcdef",
        "ABCDEF1",
        "1.0.0",
        "ab cd",
        "0" * 41,
        "$(shell touch {marker})",
        "`touch {marker}`",
        "$$(touch {marker})",
    ],
)
def test_an_image_tag_that_is_not_a_commit_sha_stops_make_in_one_line(
    tmp_path: Path, tag: str
) -> None:
    marker = tmp_path / "executed"
    result = subprocess.run(
        [
            "make",
            "-n",
            "-s",
            "-C",
            str(ROOT),
            "endpoint",
            "ENV=local",
            f"IMAGE_TAG={tag.format(marker=marker)}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "IMAGE_TAG must be a commit SHA (7-40 lower-case hex digits)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not marker.exists(), "the tag was executed"


@pytest.mark.parametrize("tag", ["feedbee", "7c703555f39a28feaa476b54d341a6848a6134e9"])
def test_a_commit_sha_is_accepted(tag: str) -> None:
    """Dry run (-n): endpoint reads the compute unit's output from the emulated account."""
    result = subprocess.run(
        ["make", "-n", "-s", "-C", str(ROOT), "endpoint", "ENV=local", f"IMAGE_TAG={tag}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ops.units output" in result.stdout
