from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from sumapi.config import Config
from tests.unit.in_process import ready_app

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@pytest.fixture
def config() -> Config:
    return Config(version="9.9.9", commit="abc123")


@pytest.fixture
def app(config: Config) -> web.Application:
    return ready_app(config)


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, app: web.Application
) -> TestClient[web.Request, web.Application]:
    return await aiohttp_client(app)
