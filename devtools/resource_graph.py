"""Reduces `tofu graph` output to the resources of a module and what each depends on.

OpenTofu draws its whole plan graph: variables, locals, outputs, provider open/close nodes and
"(expand)" helpers, which hides the resources. This keeps resources and data sources only; an
edge A -> B means A depends on B, directly or through locals and variables. Edges implied by
longer paths are dropped (transitive reduction), so each arrow is a reference someone reading
the code would look for.

Usage: tofu graph | python3 devtools/resource_graph.py --label "..." > unit.dot
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable

EDGE = re.compile(r'^\s*"(?P<source>(?:[^"\\]|\\.)+)"\s*->\s*"(?P<target>(?:[^"\\]|\\.)+)"')
NODE = re.compile(r'^\s*"(?P<name>(?:[^"\\]|\\.)+)"\s*\[')
# The [root] prefix and the plan graph's "(expand)" suffixes are not part of an address.
PREFIX = re.compile(r"^\[root\] ")
SUFFIX = re.compile(r" \((?:expand|expand, reference)\)$")
# Ordering nodes, not references: every resource needs its provider, and the provider's
# "(close)" and "root" need every resource. A path through them is no dependency.
NOT_A_REFERENCE = re.compile(r"^(?:provider\[|root$)|\(close\)$")
RESOURCE = re.compile(r"^(?:data\.)?[a-z0-9]+(?:_[a-z0-9]+)+\.[A-Za-z_][A-Za-z0-9_-]*$")


def address(node: str) -> str:
    return SUFFIX.sub("", PREFIX.sub("", node))


def is_resource(name: str) -> bool:
    return bool(RESOURCE.match(name)) and not name.startswith(("var.", "local.", "output."))


def parse(lines: Iterable[str]) -> tuple[set[str], dict[str, set[str]]]:
    """Every node address and the dependencies of each (source -> targets)."""
    nodes: set[str] = set()
    edges: dict[str, set[str]] = {}
    for line in lines:
        if match := EDGE.match(line):
            source, target = address(match["source"]), address(match["target"])
            nodes.update((source, target))
            if source != target:
                edges.setdefault(source, set()).add(target)
        elif match := NODE.match(line):
            nodes.add(address(match["name"]))
    return nodes, edges


def resource_dependencies(nodes: set[str], edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """For each resource, the resources it reaches through non-resource nodes only."""
    result: dict[str, set[str]] = {}
    for resource in sorted(n for n in nodes if is_resource(n)):
        found: set[str] = set()
        seen: set[str] = set()
        stack = list(edges.get(resource, ()))
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if is_resource(node):
                found.add(node)
            elif not NOT_A_REFERENCE.search(node):
                stack.extend(edges.get(node, ()))
        result[resource] = found - {resource}
    return result


def reduce(deps: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drops A -> C when A reaches C through another dependency B."""

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        stack = list(deps.get(start, ()))
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(deps.get(node, ()))
        return seen

    return {
        node: {t for t in targets if not any(t in reachable(o) for o in targets - {t})}
        for node, targets in deps.items()
    }


def render(deps: dict[str, set[str]], label: str) -> str:
    lines = [
        "digraph {",
        "\trankdir=LR;",
        f"\tlabel={quote(label)};",
        '\tnode [shape=box, fontname="Helvetica", fontsize=11];',
    ]
    for node in sorted(deps):
        style = ", style=dashed, shape=ellipse" if node.startswith("data.") else ""
        lines.append(f"\t{quote(node)} [label={quote(node)}{style}];")
    for node in sorted(deps):
        lines += [f"\t{quote(node)} -> {quote(target)};" for target in sorted(deps[node])]
    lines.append("}")
    return "\n".join(lines) + "\n"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", required=True, help="the graph's caption")
    args = parser.parse_args(argv)
    nodes, edges = parse(sys.stdin)
    deps = reduce(resource_dependencies(nodes, edges))
    if not deps:
        sys.stderr.write("resource_graph: no resource in the input (is it `tofu graph` output?)\n")
        return 1
    sys.stdout.write(render(deps, args.label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
