"""The deployed stack, for the tests that need it: deployed when the first of them runs."""

from __future__ import annotations

import pytest

from tests.harness.emulator import Deployment, Emulator
from tests.iac_emulator.stack import Stack, deploy_from_empty


@pytest.fixture(scope="session")
def stack(emulator: Emulator) -> Stack:
    return Deployment(emulator, deploy_from_empty)


@pytest.fixture
def deployed(stack: Stack) -> None:
    """For a test that only reads the stack: it is deployed (again, if a test took it down)."""
    stack.ensure()
