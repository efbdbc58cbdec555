"""One app and one gateway shared by the policy tests (starting nginx per test would be slower
and would not test anything more). Each test uses its own client name, so rate-limit buckets of
one test never leak into another."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.gateway.harness import App, Gateway, new_key, running_app, running_gateway

UNAUTH_BURST = 30


@dataclass(frozen=True)
class Keys:
    alpha: str
    alpha_next: str  # alpha's second live key, as during a rotation
    beta: str
    limited: str  # the only client the 429 test spends its budget on
    tester: str  # a high-rate client, for tests that send many requests

    def api_keys(self) -> str:
        return ",".join(
            [
                f"alpha:{self.alpha}",
                f"alpha:{self.alpha_next}",
                f"beta:{self.beta}",
                f"limited:{self.limited}",
                f"tester:{self.tester}",
            ]
        )


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(new_key(), new_key(), new_key(), new_key(), new_key())


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with running_app(tmp_path_factory.mktemp("app")) as app:
        yield app


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, app: App, keys: Keys) -> Iterator[Gateway]:
    run_dir = tmp_path_factory.mktemp("gateway") / "run"
    with running_gateway(
        run_dir,
        API_KEYS=keys.api_keys(),
        UPSTREAM=f"127.0.0.1:{app.port}",
        TRUSTED_PROXIES="127.0.0.1",
        HIGH_RATE_CLIENTS="tester",
        # Room for every test's unauthenticated requests from 127.0.0.1 (the per-IP test uses
        # its own address): a 429 there would make an unrelated test fail.
        UNAUTH_BURST=str(UNAUTH_BURST),
    ) as gateway:
        yield gateway
