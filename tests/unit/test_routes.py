from __future__ import annotations

import json
import logging
import re

import pytest
from aiohttp import web

from sumapi.app import create_app
from sumapi.config import Config
from sumapi.lifecycle import Phase
from sumapi.observed import is_observed, observed
from sumapi.state import CONFIG, LIFECYCLE
from tests.unit.in_process import Client, ClientFactory, ready_app


async def test_healthz(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "version": client.app[CONFIG].version}


@pytest.mark.parametrize(
    ("phase", "status"),
    [(Phase.STARTING, 503), (Phase.READY, 200), (Phase.DRAINING, 503)],
)
async def test_readyz_follows_lifecycle(
    aiohttp_client: ClientFactory, config: Config, phase: Phase, status: int
) -> None:
    app = create_app(config)
    app[LIFECYCLE].phase = phase
    client = await aiohttp_client(app)
    response = await client.get("/readyz")
    assert response.status == status
    assert await response.json() == {"status": phase.value}
    # Liveness never depends on readiness: a draining process is still alive.
    assert (await client.get("/healthz")).status == 200


async def test_unknown_route_is_404_problem(client: Client) -> None:
    response = await client.get("/nope")
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    body = await response.json()
    assert "/nope" in body["detail"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("GET", "/api/v1/sum", "POST"), ("DELETE", "/healthz", "GET,HEAD"), ("PUT", "/metrics", "")],
)
async def test_wrong_method_is_405_with_allow(
    client: Client, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    assert response.status == 405
    assert response.content_type == "application/problem+json"
    assert set(response.headers["Allow"].split(",")) >= set(filter(None, allowed.split(",")))
    assert method in (await response.json())["detail"]


async def test_request_id_is_echoed_when_valid(client: Client) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123.DEF_4"})
    assert response.headers["X-Request-ID"] == "abc-123.DEF_4"


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "semi;colon", 'quote"d'])
async def test_invalid_request_id_is_replaced(client: Client, bad: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


async def test_server_header_hides_versions(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.headers["Server"] == "sumapi"


async def test_unexpected_exception_is_opaque_500_and_logged(
    aiohttp_client: ClientFactory,
    config: Config,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = ready_app(config)

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("database password is hunter2")

    app.router.add_get("/boom", observed(boom))
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR, logger="sumapi.errors"):
        response = await client.get("/boom", headers={"X-Request-ID": "trace-me"})
    assert response.status == 500
    text = await response.text()
    assert "hunter2" not in text
    assert "Traceback" not in text
    body = json.loads(text)
    assert body["request_id"] == "trace-me"
    [record] = [r for r in caplog.records if r.name == "sumapi.errors"]
    assert record.exc_info is not None
    assert record.__dict__["request_id"] == "trace-me"


def test_every_route_is_observed(app: web.Application) -> None:
    """No response escapes the request id, the error shape, metrics and the access log: there is
    no middleware, so each route's handler must be wrapped (sumapi.observed)."""
    routes = list(app.router.routes())
    assert len(routes) >= 8  # four API routes + HEAD for the GETs, docs, the catch-all
    assert [str(r) for r in routes if not is_observed(r.handler)] == []
    assert list(app.middlewares) == []


async def test_docs_assets_are_served_and_nothing_else(client: Client) -> None:
    response = await client.get("/api/docs/static/swagger-ui.css")
    assert response.status == 200
    assert response.headers["X-Request-ID"]
    for path in ("/api/docs/static/..%2f..%2fdocs.py", "/api/docs/static/nope.js"):
        response = await client.get(path)
        assert response.status == 404
        assert response.content_type == "application/problem+json"


async def test_metrics_count_requests_by_route_and_status(client: Client) -> None:
    await client.post("/api/v1/sum", json={"a": 1, "b": 2})
    await client.post("/api/v1/sum", json={"a": "x", "b": 2})
    await client.get("/does-not-exist")
    text = await (await client.get("/metrics")).text()
    assert 'sumapi_http_requests_total{method="POST",route="/api/v1/sum",status="200"} 1' in text
    assert 'sumapi_http_requests_total{method="POST",route="/api/v1/sum",status="422"} 1' in text
    assert 'sumapi_http_requests_total{method="GET",route="unmatched",status="404"} 1' in text
    assert re.search(r'sumapi_http_request_duration_seconds_count\{route="/api/v1/sum"\} 2', text)
    assert 'sumapi_build_info{commit="abc123",python=' in text
    assert 'version="9.9.9"} 1' in text
    # The scrape itself is in flight while the registry renders.
    assert "sumapi_http_requests_in_flight 1" in text


async def test_openapi_document_describes_routes_and_security(client: Client) -> None:
    spec = await (await client.get("/api/docs/openapi.json")).json()
    assert spec["swagger"] == "2.0"
    assert set(spec["paths"]) >= {"/healthz", "/readyz", "/api/v1/sum", "/metrics"}
    assert spec["securityDefinitions"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "Checked by the gateway; ask the operators for a key.",
    }
    operation = spec["paths"]["/api/v1/sum"]["post"]
    assert operation["security"] == [{"ApiKeyAuth": []}]
    assert {"200", "400", "401", "413", "415", "422", "429"} <= set(operation["responses"])
    [body] = [p for p in operation["parameters"] if p["in"] == "body"]
    sum_request = spec["definitions"]["SumRequest"]
    assert body["schema"]["$ref"] == "#/definitions/SumRequest"
    assert sum_request["required"] == ["a", "b"]
    assert sum_request["properties"]["a"]["maximum"] == 10**15


async def test_docs_page_is_html(client: Client) -> None:
    response = await client.get("/api/docs")
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "/api/docs/openapi.json" in await response.text()


def test_every_app_gets_the_full_document(config: Config) -> None:
    first = create_app(config)["swagger_dict"]
    second = create_app(config)["swagger_dict"]
    assert first == second
    assert "SumRequest" in second["definitions"]
