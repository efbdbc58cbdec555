"""The deployed task, for the tests that need it: deployed when the first of them runs."""

from __future__ import annotations

import pytest

from tests.containers.deployment import Release, rehearse_first_deploy
from tests.harness.emulator import Deployment, Emulator


@pytest.fixture(scope="session")
def release(emulator: Emulator) -> Release:
    return Deployment(emulator, rehearse_first_deploy)


@pytest.fixture
def deployed(release: Release) -> None:
    """For a test that only reads the deployment: it is there (again, if a test took it down)."""
    release.ensure()
