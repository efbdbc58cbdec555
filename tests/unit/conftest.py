from __future__ import annotations

import pytest
from aiohttp import web

from sumapi.config import Config
from tests.unit.in_process import Client, ClientFactory, ready_app


@pytest.fixture
def config() -> Config:
    return Config(version="9.9.9", commit="abc123")


@pytest.fixture
def app(config: Config) -> web.Application:
    return ready_app(config)


@pytest.fixture
async def client(aiohttp_client: ClientFactory, app: web.Application) -> Client:
    return await aiohttp_client(app)
