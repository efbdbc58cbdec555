"""One app and one gateway shared by the policy tests (starting nginx per test would be slower
and would not test anything more). Each test uses its own client name (tests/gateway/clients.py),
so rate-limit buckets of one test never leak into another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gateway.clients import UNAUTH_BURST, Keys
from tests.harness.gateway import Gateway, new_key, running_gateway
from tests.harness.processes import Service, running_service


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(new_key(), new_key(), new_key(), new_key(), new_key())


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running_service(tmp_path_factory.mktemp("app")) as app:
        yield app


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, app: Service, keys: Keys
) -> Iterator[Gateway]:
    run_dir = tmp_path_factory.mktemp("gateway") / "run"
    with running_gateway(
        run_dir,
        API_KEYS=keys.api_keys(),
        UPSTREAM=f"127.0.0.1:{app.port}",
        TRUSTED_PROXIES="127.0.0.1",
        HIGH_RATE_CLIENTS="tester",
        UNAUTH_BURST=str(UNAUTH_BURST),
    ) as gateway:
        yield gateway
