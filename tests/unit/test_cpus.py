"""The default worker count: the affinity mask capped by the CPU quota the cgroups set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sumapi.cpus import available_cpus, cpu_quota


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _membership(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "proc-self-cgroup"
    path.write_text(text)
    return path


def test_v2_the_lowest_quota_of_the_cgroup_and_its_ancestors(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "cg",
        {
            "cpu.max": "max 100000\n",
            "ecs/cpu.max": "150000 100000\n",  # the task: 1.5 CPUs
            "ecs/app/cpu.max": "max 100000\n",  # the container: no limit of its own
        },
    )
    assert cpu_quota(root, _membership(tmp_path, "0::/ecs/app\n")) == 1.5


def test_v2_in_a_cgroup_namespace_reads_the_mount_itself(tmp_path: Path) -> None:
    root = _tree(tmp_path / "cg", {"cpu.max": "50000 100000\n"})
    assert cpu_quota(root, _membership(tmp_path, "0::/\n")) == 0.5


def test_v1_reads_the_cpu_controller(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "cg",
        {
            "cpu,cpuacct/docker/c1/cpu.cfs_quota_us": "200000\n",
            "cpu,cpuacct/docker/c1/cpu.cfs_period_us": "100000\n",
            "cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
            "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
        },
    )
    membership = _membership(tmp_path, "4:memory:/docker/c1\n3:cpu,cpuacct:/docker/c1\n")
    assert cpu_quota(root, membership) == 2.0


@pytest.mark.parametrize(
    "files",
    [
        {},  # no cgroup file system
        {"cpu.max": "max 100000\n"},
        {"cpu.max": "garbage\n"},
        {"cpu.max": "100000 0\n"},
    ],
)
def test_no_readable_limit_is_no_quota(tmp_path: Path, files: dict[str, str]) -> None:
    root = _tree(tmp_path / "cg", files)
    assert cpu_quota(root, _membership(tmp_path, "0::/\n")) is None
    assert cpu_quota(root, tmp_path / "missing") is None


def test_a_fraction_of_a_cpu_rounds_up_and_the_affinity_caps(tmp_path: Path) -> None:
    affinity = len(os.sched_getaffinity(0))
    membership = _membership(tmp_path, "0::/\n")
    quarter = _tree(tmp_path / "quarter", {"cpu.max": "25000 100000\n"})
    assert available_cpus(quarter, membership) == 1
    many = _tree(tmp_path / "many", {"cpu.max": f"{(affinity + 8) * 100000} 100000\n"})
    assert available_cpus(many, membership) == affinity
    none = _tree(tmp_path / "none", {})
    assert available_cpus(none, membership) == affinity
