"""devtools/resource_graph.py keeps resources and their references, nothing else."""

from __future__ import annotations

from devtools import resource_graph

# The shape of `tofu graph` (plan type): helpers, a local between two resources, a provider
# that every resource needs and whose "(close)" needs every resource.
TOFU_GRAPH = r"""digraph {
	compound = "true"
	subgraph "root" {
		"[root] aws_vpc.this (expand)" [label = "aws_vpc.this", shape = "box"]
		"[root] aws_subnet.a (expand)" [label = "aws_subnet.a", shape = "box"]
		"[root] aws_route_table.a (expand)" [label = "aws_route_table.a", shape = "box"]
		"[root] data.aws_region.current (expand)" [label = "data.aws_region.current", shape = "box"]
		"[root] provider[\"hashicorp/aws\"]" [label = "provider", shape = "diamond"]
		"[root] aws_subnet.a (expand)" -> "[root] local.vpc_id (expand)"
		"[root] local.vpc_id (expand)" -> "[root] aws_vpc.this (expand)"
		"[root] aws_route_table.a (expand)" -> "[root] aws_subnet.a (expand)"
		"[root] aws_route_table.a (expand)" -> "[root] aws_vpc.this (expand)"
		"[root] aws_vpc.this (expand)" -> "[root] var.name (expand, reference)"
		"[root] aws_vpc.this (expand)" -> "[root] data.aws_region.current (expand)"
		"[root] aws_vpc.this (expand)" -> "[root] provider[\"hashicorp/aws\"]"
		"[root] aws_subnet.a (expand)" -> "[root] provider[\"hashicorp/aws\"]"
		"[root] provider[\"hashicorp/aws\"] (close)" -> "[root] aws_route_table.a (expand)"
		"[root] provider[\"hashicorp/aws\"] (close)" -> "[root] aws_subnet.a (expand)"
		"[root] output.id (expand)" -> "[root] aws_vpc.this (expand)"
		"[root] root" -> "[root] output.id (expand)"
	}
}
"""


def dependencies() -> dict[str, set[str]]:
    nodes, edges = resource_graph.parse(TOFU_GRAPH.splitlines())
    return resource_graph.resource_dependencies(nodes, edges)


def test_references_through_locals_count_and_provider_ordering_does_not() -> None:
    assert dependencies() == {
        "aws_vpc.this": {"data.aws_region.current"},
        "aws_subnet.a": {"aws_vpc.this"},
        "aws_route_table.a": {"aws_subnet.a", "aws_vpc.this"},
        "data.aws_region.current": set(),
    }


def test_an_edge_implied_by_a_longer_path_is_dropped() -> None:
    reduced = resource_graph.reduce(dependencies())
    assert reduced["aws_route_table.a"] == {"aws_subnet.a"}
    assert reduced["aws_subnet.a"] == {"aws_vpc.this"}


def test_the_rendering_is_sorted_and_marks_data_sources() -> None:
    dot = resource_graph.render(resource_graph.reduce(dependencies()), 'unit "x"')
    assert 'label="unit \\"x\\""' in dot
    assert '"data.aws_region.current" [label="data.aws_region.current", style=dashed' in dot
    edges = [line.strip() for line in dot.splitlines() if "->" in line]
    assert edges == sorted(edges)
    assert '"aws_route_table.a" -> "aws_vpc.this";' not in edges
