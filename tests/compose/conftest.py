"""One compose project for the suite, up when a test needs it: a test that takes it down leaves
it to the next one that needs it to bring it up again."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from tests.harness.compose import Project, engine
from tests.harness.loopback import free_port


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory, figures: dict[str, str]) -> Iterator[Project]:
    work = tmp_path_factory.mktemp("compose")
    with engine(work) as engine_env:
        project = Project(f"sumapi-test-{uuid.uuid4().hex[:8]}", free_port(), engine_env, work)
        try:
            started = time.monotonic()
            project.start("--build")
            figures["compose up --build (first)"] = f"{time.monotonic() - started:.0f} s"
            yield project
        finally:
            project.compose("down", "--volumes", timeout=120)


@pytest.fixture
def up(project: Project) -> Project:
    """The project, serving: brought up again (no build) if a test took it down."""
    if not project.running():
        project.start()
    return project
