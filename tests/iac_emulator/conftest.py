"""The suite's `deployment`: the stack of live/local, deployed when a test first needs it."""

from __future__ import annotations

import pytest

from tests.harness.emulator import Deployment, Emulator
from tests.iac_emulator.stack import Stack, deploy_from_empty


@pytest.fixture(scope="session")
def deployment(emulator: Emulator) -> Stack:
    return Deployment(emulator, deploy_from_empty)
