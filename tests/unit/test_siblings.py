"""Several workers' metrics (sumapi.siblings): a scrape of any one answers for all of them,
and refuses to answer for part of them."""

from __future__ import annotations

import re
import secrets

from sumapi.app import create_app
from sumapi.config import Config
from sumapi.lifecycle import Phase
from sumapi.state import LIFECYCLE, Worker
from tests.unit.in_process import Client, ClientFactory


def metric(text: str, series: str) -> float:
    found = re.search("^" + re.escape(series) + r" (\S+)$", text, re.M)
    assert found, f"{series} not in:\n{text}"
    return float(found[1])


async def workers(aiohttp_client: ClientFactory, count: int, running: int) -> list[Client]:
    """`running` of `count` workers of one supervisor, each app served by a test client."""
    group = secrets.token_hex(8)
    clients = []
    for index in range(running):
        app = create_app(Config(), Worker(index, count, group))
        app[LIFECYCLE].phase = Phase.READY
        clients.append(await aiohttp_client(app))
    return clients


async def test_any_worker_answers_for_all(aiohttp_client: ClientFactory) -> None:
    clients = await workers(aiohttp_client, 3, 3)
    for n, client in enumerate(clients):  # 1, 2 and 3 sums, and one 422 on the last
        for _ in range(n + 1):
            assert (await client.post("/api/v1/sum", json={"a": 1, "b": 2})).status == 200
    assert (await clients[2].post("/api/v1/sum", json={"a": "x", "b": 2})).status == 422
    ok = 'sumapi_http_requests_total{method="POST",route="/api/v1/sum",status="200"}'
    for client in clients:
        text = await (await client.get("/metrics")).text()
        assert metric(text, ok) == 6
        assert (
            metric(
                text, 'sumapi_http_requests_total{method="POST",route="/api/v1/sum",status="422"}'
            )
            == 1
        )
        # The histogram too: 7 observations of the route over the three workers' buckets.
        assert metric(text, 'sumapi_http_request_duration_seconds_count{route="/api/v1/sum"}') == 7
        assert (
            metric(
                text, 'sumapi_http_request_duration_seconds_bucket{le="+Inf",route="/api/v1/sum"}'
            )
            == 7
        )
        assert metric(text, "sumapi_http_requests_in_flight") == 1  # this scrape only


async def test_a_worker_that_does_not_answer_fails_the_scrape(
    aiohttp_client: ClientFactory,
) -> None:
    """A partial sum would drop like a counter reset: the scrape fails instead."""
    (client,) = await workers(aiohttp_client, 2, 1)
    response = await client.get("/metrics")
    assert response.status == 503
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert "Worker(s) 1 (ConnectionRefusedError) of 2 did not answer" in problem["detail"]
