"""The suite's `deployment`: the deploy workflow's first deploy, made when a test first needs it."""

from __future__ import annotations

import pytest

from tests.containers.deployment import Release, rehearse_first_deploy
from tests.harness.emulator import Deployment, Emulator


@pytest.fixture(scope="session")
def deployment(emulator: Emulator) -> Release:
    return Deployment(emulator, rehearse_first_deploy)
