"""How many CPUs this process may use: the default number of workers (SUMAPI_WORKERS=auto).

os.cpu_count() is the machine's count, not the process's: in a container with a CPU limit, or a
Fargate task (whose VM may have more vCPUs than the task), it overstates what can run. The count
here is the affinity mask's, capped by the lowest CFS quota of the process's cgroup and its
ancestors that the process can see (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us`), rounded up: a
fractional CPU is still time another event loop can use.

A limit the container cannot see (a parent cgroup outside its namespace) is not found: the task
definition then sets SUMAPI_WORKERS itself.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")


def available_cpus(cgroup_root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> int:
    count = len(os.sched_getaffinity(0))
    quota = cpu_quota(cgroup_root, proc_cgroup)
    if quota is not None:
        count = min(count, math.ceil(quota))
    return max(1, count)


def cpu_quota(cgroup_root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float | None:
    """The lowest CPU quota (in CPUs) over the process's cgroup and the ancestors it can see;
    None when there is none (no limit, no cgroup file system, an unreadable file)."""
    try:
        memberships = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    quotas: list[float] = []
    for line in memberships:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # cgroup v2: one unified hierarchy
            quotas += _quotas(cgroup_root, path, _v2_quota)
        elif "cpu" in controllers.split(","):
            for mount in (controllers, "cpu", "cpu,cpuacct"):
                if (cgroup_root / mount).is_dir():
                    quotas += _quotas(cgroup_root / mount, path, _v1_quota)
                    break
    return min(quotas, default=None)


def _quotas(mount: Path, path: str, read: Callable[[Path], float | None]) -> list[float]:
    """The quotas of the cgroup at path under mount and of each ancestor down to the mount.

    In a cgroup namespace the path is "/" and the mount is the container's own cgroup."""
    found: list[float] = []
    directory = mount / path.lstrip("/")
    while True:
        quota = read(directory)
        if quota is not None:
            found.append(quota)
        if directory == mount or mount not in directory.parents:
            return found
        directory = directory.parent


def _v2_quota(directory: Path) -> float | None:
    fields = _read(directory / "cpu.max").split()
    if len(fields) != 2 or fields[0] == "max":
        return None
    return _ratio(fields[0], fields[1])


def _v1_quota(directory: Path) -> float | None:
    quota = _read(directory / "cpu.cfs_quota_us").strip()
    if not quota or quota.startswith("-"):  # -1: no limit
        return None
    return _ratio(quota, _read(directory / "cpu.cfs_period_us").strip())


def _ratio(quota: str, period: str) -> float | None:
    try:
        value = int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
