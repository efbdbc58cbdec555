"""make capacity's logic without load: the pass criterion, the step search against a stand-in
task whose capacity is known, where the generator runs, and the Fargate limits a pod gets.

The measurement itself takes minutes (make capacity, docs/capacity.md); what is checked here is
that the search finds what a stand-in with a known limit can serve, and refuses a rate that
passed only once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from devtools import capacity
from localenv.ecs import RunnerError, TaskLimits
from sumapi import observability

THRESHOLD = 0.25


def step(
    rate: int, *, p99: float = 0.01, errors: int = 0, sent: float | None = None
) -> capacity.Step:
    return capacity.Step(
        rate=rate,
        seconds=10,
        requests=rate * 10,
        sent_rate=rate if sent is None else sent,
        p50=p99 / 4,
        p99=p99,
        errors=errors,
        error_codes="429: 1" if errors else "",
    )


def stand_in(
    limit: int, flaky: set[int] | None = None, noisy: set[int] | None = None
) -> tuple[Callable[[int], capacity.Step], list[int]]:
    """A task that serves `limit` requests/s within the SLO; above it its queue grows (p99 of
    seconds). A rate in `flaky` passes the first time only, one in `noisy` fails the first time
    only, as on a busy machine."""
    asked: list[int] = []
    seen: set[int] = set()

    def measure(rate: int) -> capacity.Step:
        asked.append(rate)
        first = rate not in seen
        seen.add(rate)
        lucky = first and rate in (flaky or set())
        unlucky = first and rate in (noisy or set())
        return step(rate, p99=0.02 if (rate <= limit or lucky) and not unlucky else 3.0)

    return measure, asked


def passes(s: capacity.Step) -> bool:
    return s.failure(THRESHOLD) is None


def test_a_step_passes_with_every_answer_200_and_p99_under_the_threshold() -> None:
    assert step(100, p99=0.249).failure(THRESHOLD) is None
    assert step(100, p99=0.25).failure(THRESHOLD) == "p99 250 ms"
    assert step(100, errors=1).failure(THRESHOLD) == "1 errors (429: 1)"
    # A generator that fell behind says nothing about the task.
    assert "generator sent 90/s of 100/s" in str(step(100, sent=90).failure(THRESHOLD))


@pytest.mark.parametrize("limit", [1, 137, 1000, 1403, 12_000])
@pytest.mark.parametrize("start", [100, 800])
def test_the_search_finds_the_stand_ins_limit_within_the_resolution(limit: int, start: int) -> None:
    measure, asked = stand_in(limit)
    found = capacity.search(measure, passes, start)
    assert found.best is not None, asked
    assert found.best.rate <= limit, "a rate above the limit cannot have passed"
    assert found.best.rate * capacity.RESOLUTION >= limit or found.best.rate == limit, asked
    # The best rate was run twice: the answer is the second run.
    assert asked.count(found.best.rate) >= 2
    assert found.limit is not None
    assert found.limit.rate > limit
    assert len(asked) <= capacity.MAX_STEPS


def test_a_rate_that_passes_only_once_does_not_count() -> None:
    measure, asked = stand_in(1000, flaky={1084})
    found = capacity.search(measure, passes, 800)
    assert found.best is not None
    assert found.best.rate <= 1000, asked
    assert 1084 in asked, "the flaky rate was tried"


def test_one_noisy_failure_does_not_cap_the_search() -> None:
    measure, asked = stand_in(1000, noisy={800, 980})
    found = capacity.search(measure, passes, 800)
    assert found.best is not None
    assert found.best.rate * capacity.RESOLUTION >= 1000, asked
    assert asked[:2] == [800, 800], "a failure is measured again before it counts"


def test_a_task_that_serves_nothing_has_no_capacity() -> None:
    measure, asked = stand_in(0)
    found = capacity.search(measure, passes, 8)
    assert found.best is None
    assert asked[-1] == 1, "the search went down to one request a second"


def test_the_generator_runs_on_cpus_the_task_does_not_have_when_there_are_enough() -> None:
    assert capacity.placement(0.25, [0, 1]) == ("0", "1", False)
    assert capacity.placement(1, [1, 0]) == ("0", "1", False)
    assert capacity.placement(2, [0, 1, 2, 3]) == ("0,1", "2,3", False)
    assert capacity.placement(2, [0, 1]) == ("0,1", "0,1", True)
    assert capacity.placement(4, [0, 1]) == ("0,1", "0,1", True)


def test_the_latency_threshold_is_read_from_the_slo_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "groups:\n- name: g\n  rules:\n  - record: sumapi:latency_slow:ratio_rate5m\n"
        '    expr: sum(rate(x_bucket{le="0.5"}[5m]))\n'
    )
    assert capacity.latency_threshold_seconds(rules) == 0.5
    rules.write_text("groups: []\n")
    with pytest.raises(capacity.CapacityError):
        capacity.latency_threshold_seconds(rules)
    # The real rules name a bucket the service's histogram has (so the SLI is exact).
    assert capacity.latency_threshold_seconds() in observability.LATENCY_BUCKETS


def test_the_generator_opens_no_more_connections_than_the_gateway_admits_a_client() -> None:
    assert capacity.connections_per_client() >= 1


def test_a_task_size_is_written_cpu_slash_memory() -> None:
    assert capacity.parse_size("256/512") == (256, 512)
    for bad in ("256", "256/", "a/512", "256x512"):
        with pytest.raises(capacity.CapacityError):
            capacity.parse_size(bad)


def test_the_pod_gets_the_task_size_as_fargate_bounds_the_task() -> None:
    limits = TaskLimits.of({"family": "f", "cpu": "256", "memory": "512"}, cpuset="0")
    assert math.isclose(limits.vcpus, 0.25)
    assert limits.pod_args() == [
        "--cpus", "0.25", "--memory", "512m", "--memory-swap", "512m", "--cpuset-cpus", "0",
    ]  # fmt: skip
    assert TaskLimits.of({"cpu": "2048", "memory": "4096"}).pod_args()[:2] == ["--cpus", "2"]
    assert TaskLimits.of({"cpu": "256", "memory": "512"}, cgroup_parent="/p").pod_args()[-2:] == [
        "--cgroup-parent", "/p",
    ]  # fmt: skip
    # A container's own cpu is a share, its memory a limit of its own inside the task's.
    assert TaskLimits.container_args({"name": "collector", "cpu": 64, "memory": 128}) == [
        "--cpu-shares", "64", "--memory", "128m",
    ]  # fmt: skip
    assert TaskLimits.container_args({"name": "app"}) == []
    with pytest.raises(RunnerError):
        TaskLimits.of({"family": "ec2", "containerDefinitions": []})


def test_the_cgroups_cpu_lists_compare_as_sets() -> None:
    assert capacity.cpu_sets_equal("0-1", "0,1")
    assert capacity.cpu_sets_equal("0", "0")
    assert not capacity.cpu_sets_equal("0", "1")


def test_a_size_with_no_confirmed_rate_shows_what_passed_once_in_every_column() -> None:
    steps = (step(100), step(200, p99=1.0), step(150), step(150, errors=1))
    unconfirmed = capacity.Result(
        (1024, 2048), "1", "0", "1", False, capacity.Search(None, None, steps)
    )
    header, _, row = capacity.table([unconfirmed], THRESHOLD)
    assert "none passed twice (once: up to 150)" in row
    assert row.count("|") == header.count("|")
