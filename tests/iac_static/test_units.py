"""ops.units: the apply order comes from Terragrunt's own DAG, not from a list kept by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ops import units
from tests.iac_static.tooling import tool

ROOT = Path(__file__).resolve().parents[2]
DAG = """digraph {
\t"bootstrap" ;
\t"bootstrap" -> "registry";
\t"compute" ;
\t"compute" -> "networking";
\t"compute" -> "registry";
\t"networking" ;
\t"observability" ;
\t"observability" -> "compute";
\t"registry" ;
}
"""


def test_dependencies_come_first_and_ties_go_alphabetically() -> None:
    graph = units.dependencies(DAG)
    assert graph["compute"] == {"networking", "registry"}
    assert units.apply_order(graph) == [
        "networking",
        "registry",
        "bootstrap",
        "compute",
        "observability",
    ]


def test_a_cycle_is_named() -> None:
    with pytest.raises(units.UnitError, match="cycle"):
        units.apply_order({"a": {"b"}, "b": {"a"}, "c": set()})


def test_the_live_tree_applies_every_unit_after_its_dependencies() -> None:
    live = ROOT / "live" / "local"
    order = units.order(tool("TERRAGRUNT"), live)
    assert sorted(order) == sorted(path.parent.name for path in live.glob("*/terragrunt.hcl"))
    for unit in order:
        envcommon = (ROOT / "live" / "_envcommon" / f"{unit}.hcl").read_text()
        declared = re.findall(r'^dependency "([^"]+)"', envcommon, re.MULTILINE)
        for dependency in declared:
            assert order.index(dependency) < order.index(unit), (dependency, unit)


def stub_terragrunt(tmp_path: Path, outputs_json: str) -> str:
    """A terragrunt that answers `output -json` with the given document."""
    stub = tmp_path / "terragrunt"
    stub.write_text(f"#!/bin/sh\ncat <<'EOF'\n{outputs_json}\nEOF\n")
    stub.chmod(0o755)
    return str(stub)


def test_one_output_prints_as_terragrunt_output_raw_would(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terragrunt = stub_terragrunt(
        tmp_path,
        '{"url": {"value": "https://api.example.com"}, "ids": {"value": ["a", "b"]}}',
    )
    unit = str(tmp_path)
    assert units.main(["output", "--terragrunt", terragrunt, unit, "url"]) == 0
    assert units.main(["output", "--terragrunt", terragrunt, unit, "ids"]) == 0
    assert capsys.readouterr().out.splitlines() == ["https://api.example.com", '["a", "b"]']


def test_a_missing_output_is_named_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terragrunt = stub_terragrunt(tmp_path, '{"url": {"value": "x"}}')
    assert units.main(["output", "--terragrunt", terragrunt, str(tmp_path), "cluster_name"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"ops.units: {tmp_path} has no output 'cluster_name' (was the unit applied?); it has: url"
    ]
