"""ops.units: the apply order comes from Terragrunt's own DAG, not from a list kept by hand."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ops import units

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


@pytest.mark.skipif("TERRAGRUNT" not in os.environ, reason="needs the pinned terragrunt (make)")
def test_the_live_tree_applies_every_unit_after_its_dependencies() -> None:
    live = ROOT / "live" / "local"
    order = units.order(os.environ["TERRAGRUNT"], live)
    assert sorted(order) == sorted(path.parent.name for path in live.glob("*/terragrunt.hcl"))
    for unit in order:
        envcommon = (ROOT / "live" / "_envcommon" / f"{unit}.hcl").read_text()
        declared = re.findall(r'^dependency "([^"]+)"', envcommon, re.MULTILINE)
        for dependency in declared:
            assert order.index(dependency) < order.index(unit), (dependency, unit)
