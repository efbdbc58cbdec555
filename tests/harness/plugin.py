"""The fixtures several suites share, registered for every suite by tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.harness.emulator import Deployment, Emulator, private_emulator

FIGURES = pytest.StashKey[dict[str, str]]()
# The type of pytest's record_property fixture, which pytest exports no name for.
RecordProperty = Callable[[str, object], None]


@pytest.fixture(scope="session")
def figures(pytestconfig: pytest.Config) -> dict[str, str]:
    """Timings and counts a suite measures, printed at the end of the run."""
    return pytestconfig.stash.setdefault(FIGURES, {})


@pytest.fixture(scope="session")
def emulator(
    tmp_path_factory: pytest.TempPathFactory, figures: dict[str, str]
) -> Iterator[Emulator]:
    """The session's private emulator: what a suite deploys on it is its Deployment's."""
    with private_emulator(tmp_path_factory.mktemp("emulator"), figures) as started:
        yield started


@pytest.fixture
def deployed(deployment: Deployment[Any]) -> None:
    """For a test that only reads its suite's deployment (the `deployment` fixture a suite that
    deploys defines): it is there, deployed now if no test did yet or one took it down."""
    deployment.ensure()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    measured = config.stash.get(FIGURES, {})
    if measured:
        terminalreporter.section("measured")
        for label, value in measured.items():
            terminalreporter.write_line(f"{label:<48} {value}")
