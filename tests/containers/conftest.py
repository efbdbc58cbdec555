"""The deployed task run as pods: the infra suite's private emulator, registry and load balancer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.infra.conftest import Infra, infra, pytest_terminal_summary

__all__ = ["infra", "pytest_terminal_summary"]


@pytest.fixture(scope="session", autouse=True)
def nothing_left_running(infra: Infra) -> Iterator[None]:
    """Whatever a failed test left behind: tasks, load balancer and registry are stopped."""
    yield
    infra.make("local-tasks-stop", "registry-stop", check=False)
