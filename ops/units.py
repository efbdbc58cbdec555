"""The units of a live environment, as Terragrunt sees them: their order and their outputs.

One place for both, so the tools that need them (plan.txt, the key tool, the registry emptier,
the AMP step, make's recipes through `python -m ops.units output`) never keep a list of units
or a way of reading outputs of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

_EDGE = re.compile(r'^\s*"([^"]+)"\s*(?:->\s*"([^"]+)")?\s*;\s*$')


class UnitError(Exception):
    """Terragrunt could not say; the message says where and why."""


def _terragrunt(terragrunt: str, *args: str) -> str:
    result = subprocess.run(
        [terragrunt, *args],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "TG_TF_FORWARD_STDOUT": "true", "TG_LOG_LEVEL": "error"},
    )
    if result.returncode != 0:
        raise UnitError(f"terragrunt {' '.join(args)} failed: {result.stderr.strip()[-400:]}")
    return result.stdout


def dependencies(dag_dot: str) -> dict[str, set[str]]:
    """Each unit's dependencies, from `terragrunt dag graph` (A -> B: A reads B's outputs)."""
    graph: dict[str, set[str]] = {}
    for line in dag_dot.splitlines():
        match = _EDGE.match(line)
        if match:
            unit, dependency = match.groups()
            graph.setdefault(unit, set())
            if dependency:
                graph[unit].add(dependency)
                graph.setdefault(dependency, set())
    return graph


def apply_order(graph: dict[str, set[str]]) -> list[str]:
    """Dependencies first; units that could go in either order go alphabetically (stable)."""
    remaining = {unit: set(deps) for unit, deps in graph.items()}
    order: list[str] = []
    while remaining:
        ready = sorted(unit for unit, deps in remaining.items() if not deps)
        if not ready:
            raise UnitError(f"dependency cycle among {sorted(remaining)}")
        for unit in ready:
            order.append(unit)
            del remaining[unit]
        for deps in remaining.values():
            deps.difference_update(ready)
    return order


def order(terragrunt: str, live_dir: Path) -> list[str]:
    """The units of live_dir in the order `terragrunt run --all apply` applies them."""
    return apply_order(
        dependencies(_terragrunt(terragrunt, "dag", "graph", "--working-dir", str(live_dir)))
    )


def outputs(terragrunt: str, unit_dir: Path) -> dict[str, Any]:
    """Outputs of an applied unit ({} when it was never applied)."""
    if not unit_dir.is_dir():
        return {}
    stdout = _terragrunt(terragrunt, "output", "-json", "--working-dir", str(unit_dir))
    try:
        raw = json.loads(stdout or "{}")
    except json.JSONDecodeError as error:
        raise UnitError(f"terragrunt output in {unit_dir} is not JSON") from error
    return {name: entry.get("value") for name, entry in raw.items()}


def main(argv: list[str] | None = None) -> int:
    """`python -m ops.units output UNIT_DIR NAME`: one output, as `terragrunt output -raw` prints
    it (a string as is, anything else as JSON), for make's recipes."""
    parser = argparse.ArgumentParser(prog="ops.units", description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    output = commands.add_parser("output", help="print one output of an applied unit")
    output.add_argument("unit_dir", type=Path)
    output.add_argument("name")
    output.add_argument("--terragrunt", default="terragrunt")
    args = parser.parse_args(argv)
    try:
        values = outputs(args.terragrunt, args.unit_dir)
    except UnitError as error:
        print(f"ops.units: {error}", file=sys.stderr)
        return 1
    if args.name not in values:
        print(
            f"ops.units: {args.unit_dir} has no output {args.name!r} (was the unit applied?);"
            f" it has: {', '.join(sorted(values)) or 'none'}",
            file=sys.stderr,
        )
        return 1
    value = values[args.name]
    print(value if isinstance(value, str) else json.dumps(value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
