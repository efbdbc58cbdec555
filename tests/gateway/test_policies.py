"""Every gateway policy, checked against real nginx in front of the real service."""

from __future__ import annotations

import math
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests

from sumapi.config import Config
from tests.gateway.clients import UNAUTH_BURST, Keys
from tests.harness.gateway import SUM_PATH, Gateway, new_key, running_gateway
from tests.harness.logs import read_json_lines, records_with_request_id
from tests.harness.processes import Service

PROBLEM_KEYS = {"type", "title", "status", "detail", "request_id"}
NGINX_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def post_sum(gateway: Gateway, key: str | None, **kwargs: Any) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if key is not None:
        headers["X-API-Key"] = key
    body = kwargs.pop("json", {"a": 2, "b": 3})
    return requests.post(gateway.url + SUM_PATH, json=body, headers=headers, timeout=5, **kwargs)


def assert_problem(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def access_records(gateway: Gateway, request_id: str) -> list[dict[str, Any]]:
    return records_with_request_id(gateway.access_log, request_id)


def app_records(app: Service, request_id: str) -> list[dict[str, Any]]:
    return records_with_request_id(app.log, request_id)


# ---- authentication --------------------------------------------------------------------------


def test_sum_with_a_valid_key_reaches_the_service(gateway: Gateway, keys: Keys) -> None:
    response = post_sum(gateway, keys.beta, json={"a": 40, "b": 2})
    assert response.status_code == 200
    assert response.json() == {"result": 42}


def test_missing_key_is_401_problem(gateway: Gateway) -> None:
    body = assert_problem(post_sum(gateway, None), 401)
    assert body["title"] == "Unauthorized"
    assert "X-API-Key" in body["detail"]


def test_wrong_key_is_401_problem(gateway: Gateway, keys: Keys) -> None:
    assert_problem(post_sum(gateway, new_key()), 401)
    # A valid key with one character changed, or with a prefix of a valid one, is still wrong.
    assert_problem(post_sum(gateway, keys.beta[:-1] + ("A" if keys.beta[-1] != "A" else "B")), 401)
    assert_problem(post_sum(gateway, keys.beta[:32]), 401)


def test_two_live_keys_of_one_client_both_work_and_log_the_client_name(
    gateway: Gateway, keys: Keys
) -> None:
    for index, key in enumerate((keys.alpha, keys.alpha_next)):
        request_id = f"rotation-{index}"
        response = post_sum(gateway, key, headers={"X-Request-ID": request_id})
        assert response.status_code == 200
        [record] = access_records(gateway, request_id)
        assert record["client"] == "alpha"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoints_need_no_key(gateway: Gateway, path: str) -> None:
    response = requests.get(gateway.url + path, timeout=5)
    assert response.status_code == 200
    assert response.json()["status"] in {"ok", "ready"}


def test_docs_are_public(gateway: Gateway) -> None:
    page = requests.get(gateway.url + "/api/docs", timeout=5)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    document = requests.get(gateway.url + "/api/docs/openapi.json", timeout=5).json()
    assert "/api/v1/sum" in document["paths"]
    # The page's own assets (Swagger UI) load through the gateway too.
    assets = re.findall(r'(?:src|href)="\.?/?(?:api/docs/)?(static/[^"]+)"', page.text)
    assert assets
    asset = requests.get(f"{gateway.url}/api/docs/{assets[0]}", timeout=5)
    assert asset.status_code == 200


# ---- rate limits -----------------------------------------------------------------------------


def test_burst_then_429_with_retry_after_per_client(gateway: Gateway, keys: Keys) -> None:
    # Default class: 5 r/s with a burst of 10: the first 10 pass at once, then one more per
    # 200 ms elapsed, and everything else is rejected.
    with requests.Session() as session:
        session.headers["X-API-Key"] = keys.limited
        statuses = []
        rejected = None
        started = time.monotonic()
        for _ in range(30):
            response = session.post(gateway.url + SUM_PATH, json={"a": 1, "b": 1}, timeout=5)
            statuses.append(response.status_code)
            if response.status_code == 429:
                rejected = response
        elapsed = time.monotonic() - started
    assert set(statuses) == {200, 429}
    assert 10 <= statuses.count(200) <= 11 + math.ceil(elapsed * 5)
    assert statuses[:10] == [200] * 10
    assert rejected is not None
    assert_problem(rejected, 429)
    assert rejected.headers["Retry-After"] == "1"
    # The bucket belongs to the client name: another client is not affected.
    assert post_sum(gateway, keys.beta).status_code == 200


def test_unauthenticated_traffic_is_limited_per_ip(gateway: Gateway, keys: Keys) -> None:
    # 2 r/s and the fixture's burst, per client IP. The loopback peer is a trusted proxy here,
    # so each test address below is its own client (documentation range, RFC 5737).
    guessing = {"X-Forwarded-For": "192.0.2.10"}
    with requests.Session() as session:
        statuses = [
            session.post(
                gateway.url + SUM_PATH,
                json={},
                headers={**guessing, "X-API-Key": new_key()},
                timeout=5,
            ).status_code
            for _ in range(UNAUTH_BURST + 15)
        ]
    assert statuses[:UNAUTH_BURST] == [401] * UNAUTH_BURST
    assert 429 in statuses
    rejected = post_sum(gateway, None, headers=dict(guessing))
    assert_problem(rejected, 429)
    assert "Retry-After" in rejected.headers
    # Other addresses and authenticated clients from the same address are unaffected.
    assert post_sum(gateway, None, headers={"X-Forwarded-For": "192.0.2.11"}).status_code == 401
    assert post_sum(gateway, keys.beta, headers=dict(guessing)).status_code == 200


# ---- request shape ---------------------------------------------------------------------------


# Neither the app nor the gateway is given SUMAPI_MAX_BODY_BYTES here: their own defaults agree.
LIMIT = Config().max_body_bytes


def body_of(size: int) -> bytes:
    """A valid sum request of exactly size bytes (JSON allows trailing blanks)."""
    return b'{"a": 1, "b": 2}'.ljust(size)


def post_raw(gateway: Gateway, key: str, data: Any) -> requests.Response:
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    return requests.post(gateway.url + SUM_PATH, data=data, headers=headers, timeout=5)


def assert_gateway_413(response: requests.Response, limit: int) -> None:
    body = assert_problem(response, 413)
    assert body["title"] == "Payload Too Large"
    # The gateway's text, generated from its setting (the app's would say "the limit is").
    assert body["detail"] == f"The request body exceeds {limit} bytes."


def test_a_body_over_the_limit_is_the_gateways_413_problem(gateway: Gateway, keys: Keys) -> None:
    assert_gateway_413(post_raw(gateway, keys.tester, body_of(LIMIT + 1)), LIMIT)


def test_a_chunked_body_over_the_limit_is_413_too(gateway: Gateway, keys: Keys) -> None:
    # No Content-Length: nginx counts the chunks as they arrive.
    half = LIMIT // 2 + 1
    response = post_raw(gateway, keys.tester, iter([b"{" + b" " * half, b" " * half, b"}"]))
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert_gateway_413(response, LIMIT)


def test_a_body_of_the_limit_reaches_the_service(gateway: Gateway, keys: Keys) -> None:
    response = post_raw(gateway, keys.tester, body_of(LIMIT))
    assert response.status_code == 200
    assert response.json() == {"result": 3}


def test_the_body_limit_is_the_setting_the_app_reads(
    tmp_path: Path, app: Service, keys: Keys
) -> None:
    """SUMAPI_MAX_BODY_BYTES, the app's own variable, sets the gateway's limit and its text."""
    limit = 1000
    with running_gateway(
        tmp_path / "run",
        API_KEYS=keys.api_keys(),
        UPSTREAM=f"127.0.0.1:{app.port}",
        SUMAPI_MAX_BODY_BYTES=str(limit),
    ) as small:
        assert_gateway_413(post_raw(small, keys.tester, body_of(limit + 1)), limit)
        assert post_raw(small, keys.tester, body_of(limit)).json() == {"result": 3}


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", SUM_PATH, "POST"),
        ("PUT", SUM_PATH, "POST"),
        ("POST", "/healthz", "GET, HEAD"),
        ("DELETE", "/readyz", "GET, HEAD"),
        ("POST", "/api/docs", "GET, HEAD"),
    ],
)
def test_undocumented_method_is_405_with_allow(
    gateway: Gateway, keys: Keys, method: str, path: str, allow: str
) -> None:
    response = requests.request(
        method, gateway.url + path, headers={"X-API-Key": keys.tester}, timeout=5
    )
    assert_problem(response, 405)
    assert response.headers["Allow"] == allow


def test_head_is_allowed_on_health(gateway: Gateway) -> None:
    assert requests.head(gateway.url + "/healthz", timeout=5).status_code == 200


# ---- internal routes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/metrics", "/metrics/", "//metrics", "/./metrics", "/api/../metrics", "/%6Detrics", "/x"],
)
def test_metrics_are_not_reachable_through_the_gateway(
    gateway: Gateway, app: Service, keys: Keys, path: str
) -> None:
    # The app does serve them (internally)...
    assert "sumapi_http_requests_total" in requests.get(app.url + "/metrics", timeout=5).text
    # ...but no spelling of the path gets through the public listener, key or not.
    session = requests.Session()
    prepared = session.prepare_request(
        requests.Request("GET", gateway.url + "/", headers={"X-API-Key": keys.tester})
    )
    prepared.url = gateway.url + path  # verbatim: no client-side normalisation
    response = session.send(prepared, timeout=5)
    assert_problem(response, 404)
    assert "sumapi_" not in response.text


# ---- headers ---------------------------------------------------------------------------------


def test_request_id_is_generated_sent_upstream_and_returned(
    gateway: Gateway, app: Service, keys: Keys
) -> None:
    response = post_sum(gateway, keys.tester)
    request_id = response.headers["X-Request-ID"]
    assert NGINX_REQUEST_ID.match(request_id)
    assert app_records(app, request_id)
    [record] = access_records(gateway, request_id)
    assert record["upstream_status"] == "200"


def test_valid_request_id_passes_through(gateway: Gateway, app: Service, keys: Keys) -> None:
    request_id = "client-chosen.id_0042"
    response = post_sum(gateway, keys.tester, headers={"X-Request-ID": request_id})
    assert response.headers["X-Request-ID"] == request_id
    # Exactly one header: the app's copy is hidden, the gateway's is the one returned.
    assert response.raw.headers.getlist("X-Request-ID") == [request_id]
    assert app_records(app, request_id)


@pytest.mark.parametrize("bad", ["has space", "semi;colon", "x" * 129, 'quote"d'])
def test_invalid_request_id_is_replaced(gateway: Gateway, keys: Keys, bad: str) -> None:
    response = post_sum(gateway, keys.tester, headers={"X-Request-ID": bad})
    assert NGINX_REQUEST_ID.match(response.headers["X-Request-ID"])


def test_gateway_errors_carry_the_request_id(gateway: Gateway) -> None:
    response = post_sum(gateway, None, headers={"X-Request-ID": "trace-me-401"})
    assert assert_problem(response, 401)["request_id"] == "trace-me-401"


def test_security_headers_and_no_version_banner(gateway: Gateway, keys: Keys) -> None:
    for response in (post_sum(gateway, keys.tester), post_sum(gateway, None)):
        assert response.headers["Server"] == "nginx"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"


def test_client_ip_comes_from_x_forwarded_for_of_a_trusted_proxy(
    gateway: Gateway, keys: Keys
) -> None:
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Request-ID": "xff-trusted"}
    post_sum(gateway, keys.tester, headers=headers)
    [record] = access_records(gateway, "xff-trusted")
    assert record["remote"] == "198.51.100.7"


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    tmp_path: Path, app: Service, keys: Keys
) -> None:
    with running_gateway(
        tmp_path / "run",
        API_KEYS=keys.api_keys(),
        UPSTREAM=f"127.0.0.1:{app.port}",
        TRUSTED_PROXIES="10.0.0.0/16",
    ) as untrusting:
        headers = {"X-Forwarded-For": "198.51.100.8", "X-Request-ID": "xff-untrusted"}
        assert post_sum(untrusting, keys.tester, headers=headers).status_code == 200
        [record] = access_records(untrusting, "xff-untrusted")
    assert record["remote"] == "127.0.0.1"


def test_upstream_down_is_502_problem(tmp_path: Path, keys: Keys) -> None:
    with running_gateway(
        tmp_path / "run", API_KEYS=keys.api_keys(), UPSTREAM="127.0.0.1:9"
    ) as orphan:
        body = assert_problem(post_sum(orphan, keys.tester), 502)
    assert body["title"] == "Bad Gateway"


# ---- logs ------------------------------------------------------------------------------------


def test_access_log_is_json_with_the_documented_fields_and_never_a_key(
    gateway: Gateway, keys: Keys
) -> None:
    post_sum(gateway, keys.beta, headers={"X-Request-ID": "log-fields"})
    post_sum(
        gateway,
        keys.alpha,
        params={"note": "query strings are not logged"},
        headers={"X-Request-ID": "log-query"},
    )
    # Lines of other kinds too (a 200, a 400), whatever the tests before this one sent.
    for body in ({"a": 1, "b": 2}, {"a": "x"}):
        for _ in range(10):
            post_sum(gateway, keys.tester, json=body)
    [record] = access_records(gateway, "log-fields")
    [with_query] = access_records(gateway, "log-query")
    assert with_query["path"] == SUM_PATH
    records = read_json_lines(gateway.access_log)  # every line must parse
    assert len(records) > 20
    assert record["client"] == "beta"
    assert record["route"] == "/api/v1/sum"
    assert record["method"] == "POST"
    assert record["status"] == 200
    assert record["upstream_status"] == "200"
    assert isinstance(record["request_time"], float)
    assert float(record["upstream_time"]) >= 0
    logs = gateway.access_log.read_text() + gateway.error_log.read_text()
    for key in (keys.alpha, keys.alpha_next, keys.beta, keys.limited, keys.tester):
        assert key not in logs
    assert "query strings" not in logs


class _RecordingHandler(BaseHTTPRequestHandler):
    """A stand-in upstream that records the headers the gateway sends."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).seen.append(dict(self.headers.items()))
        body = b'{"result": 5}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_upstream_gets_client_identity_and_request_id_but_never_the_key(
    tmp_path: Path, keys: Keys
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with running_gateway(
            tmp_path / "run",
            API_KEYS=keys.api_keys(),
            UPSTREAM=f"127.0.0.1:{server.server_address[1]}",
            TRUSTED_PROXIES="127.0.0.1",
        ) as recorded:
            headers = {"X-Request-ID": "upstream-headers", "X-Forwarded-For": "203.0.113.9"}
            assert post_sum(recorded, keys.beta, headers=headers).status_code == 200
    finally:
        server.shutdown()
        server.server_close()
    [sent] = _RecordingHandler.seen
    sent = {name.lower(): value for name, value in sent.items()}
    assert "x-api-key" not in sent
    assert keys.beta not in str(sent)
    assert sent["x-request-id"] == "upstream-headers"
    assert sent["x-client-name"] == "beta"
    assert sent["x-forwarded-for"] == "203.0.113.9"
    assert sent["x-real-ip"] == "203.0.113.9"
