"""The app in-process, as the unit tests serve it through pytest-aiohttp's test client."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from sumapi.app import create_app
from sumapi.config import Config
from sumapi.lifecycle import Phase
from sumapi.state import LIFECYCLE

# The type of pytest-aiohttp's aiohttp_client fixture, and of the client it returns for an app.
ClientFactory = AiohttpClient
Client = TestClient[web.Request, web.Application]


def ready_app(config: Config) -> web.Application:
    """The app as sumapi.server leaves it once it listens."""
    app = create_app(config)
    app[LIFECYCLE].phase = Phase.READY
    return app
