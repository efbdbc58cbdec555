"""Every copy of a cross-layer fact agrees with its one home, contract/facts.json.

The app, the gateway's templates and renderer, the key tool and the compute module each need
some of these facts in their own language; this test fails when one copy drifts, and names it.
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

from ops import keytool
from sumapi import observed
from sumapi.app import create_app
from sumapi.config import Config
from tests.harness import ROOT

FACTS: dict[str, Any] = json.loads((ROOT / "contract" / "facts.json").read_text())
TIMEOUTS: dict[str, int] = FACTS["timeouts_seconds"]
TEMPLATES = ROOT / "nginx" / "templates"
NGINX = (TEMPLATES / "nginx.conf.template").read_text()
PROBLEMS = (TEMPLATES / "problems.conf").read_text()
ROUTES = (TEMPLATES / "api-routes.conf").read_text()
RENDER = ROOT / "nginx" / "render"
COMPUTE_VARIABLES = (ROOT / "modules" / "compute" / "variables.tf").read_text()


def nginx_seconds(directive: str, text: str = NGINX) -> int:
    match = re.search(rf"^\s*{directive} (\d+)s;", text, re.MULTILINE)
    assert match, f"{directive} not found"
    return int(match.group(1))


def module_default(variable: str) -> int:
    match = re.search(rf'variable "{variable}" {{.*?default\s*=\s*(\d+)', COMPUTE_VARIABLES, re.S)
    assert match, variable
    return int(match.group(1))


def test_the_app_serves_exactly_the_shared_routes_with_their_methods() -> None:
    app = create_app(Config())
    served: dict[str, set[str]] = {}
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        served.setdefault(path, set()).add(route.method)
    for path, methods in FACTS["routes"].items():
        assert set(methods) <= served.get(path, set()), (path, served.get(path))
        assert served[path] - {"HEAD"} == set(methods) - {"HEAD"}, path


def test_the_gateway_routes_and_allows_the_same_methods() -> None:
    route_map = NGINX[NGINX.index("map $uri $route {") :]
    route_map = route_map[: route_map.index("}")]
    for path, methods in FACTS["routes"].items():
        assert f"{path} {path};" in route_map, f"nginx $route map lacks {path}"
        location = re.search(rf"location = {re.escape(path)} {{(.*?)\n}}", ROUTES, re.S)
        assert location, f"nginx has no location = {path}"
        if path in FACTS["internal_routes"]:
            assert "return 404;" in location.group(1), f"{path} is internal: nginx must 404 it"
            continue
        allowed = re.search(
            r"if \(\$request_method (!~|!=) \^?\(?([A-Z|]+)\)?\$?\)", location.group(1)
        )
        assert allowed, f"{path}: no method check"
        assert set(allowed.group(2).split("|")) == set(methods), path
    allowed_map = NGINX[NGINX.index("map $uri $allowed_methods {") :]
    allowed_map = allowed_map[: allowed_map.index("}")]
    assert 'default "GET, HEAD";' in allowed_map
    for path, methods in FACTS["routes"].items():
        if methods != ["GET", "HEAD"]:
            assert f"{path} {', '.join(methods)};" in allowed_map, path


def test_body_limit_is_the_same_in_app_gateway_and_error_text() -> None:
    limit = FACTS["max_body_bytes"]
    assert Config().max_body_bytes == limit
    assert f"client_max_body_size {limit // 1024}k;" in NGINX
    assert f"client_body_buffer_size {limit // 1024}k;" in NGINX
    assert f"exceeds {limit} bytes" in PROBLEMS
    handlers = (ROOT / "src" / "sumapi" / "handlers.py").read_text()
    assert f"Body larger than {limit // 1024} KiB" in handlers


def test_request_id_pattern_is_the_same_in_app_and_gateway() -> None:
    pattern = FACTS["request_id_pattern"]
    assert observed._VALID_REQUEST_ID.pattern == pattern
    assert f'"~^{pattern}$" $http_x_request_id;' in NGINX


def test_api_key_format_is_the_same_in_key_tool_and_renderer() -> None:
    client, key = FACTS["api_key"]["client_pattern"], FACTS["api_key"]["key_pattern"]
    assert keytool.CLIENT_PATTERN.pattern == f"^{client}$"
    assert keytool.KEY_PATTERN.pattern == f"^{key}$"
    low, high = (int(n) for n in re.findall(r"\d+", key.rsplit("{", 1)[1]))
    # The renderer (POSIX sh) checks by character set and length: probe its edges.
    for length, accepted in ((low - 1, False), (low, True), (high, True), (high + 1, False)):
        assert renders(f"client:{'k' * length}") == accepted, length
    assert renders(f"{'c' * 32}:{'k' * low}")
    assert not renders(f"{'c' * 33}:{'k' * low}")
    assert not renders(f"Client:{'k' * low}")  # client names are lower case
    assert not renders(f"client:{'k' * (low - 1)}+")  # '+' is not in the key alphabet


def renders(api_keys: str) -> bool:
    with_dir = subprocess.run(
        [
            "sh",
            "-c",
            'out=$(mktemp -d) && "$0" "$out"; status=$?; rm -rf "$out"; exit $status',
            RENDER,
        ],
        env={"PATH": "/usr/bin:/bin", "API_KEYS": api_keys, "UPSTREAM": "127.0.0.1:8000"},
        capture_output=True,
        text=True,
        check=False,
    )
    return with_dir.returncode == 0


def test_timeouts_agree_across_layers_and_stay_ordered() -> None:
    t = TIMEOUTS
    assert (
        nginx_seconds("keepalive_timeout", NGINX.split("upstream sumapi {")[0])
        == t["gateway_keepalive"]
    )
    assert nginx_seconds("client_header_timeout") == t["gateway_client_header"]
    assert nginx_seconds("client_body_timeout") == t["gateway_client_body"]
    assert nginx_seconds("proxy_read_timeout") == t["gateway_proxy_read"]
    assert (
        nginx_seconds("keepalive_timeout", NGINX.split("upstream sumapi {")[1])
        == t["gateway_upstream_keepalive"]
    )
    config = Config()
    assert (config.keepalive_seconds, config.drain_seconds, config.shutdown_timeout_seconds) == (
        t["app_keepalive"],
        t["app_drain"],
        t["app_shutdown"],
    )
    for variable, fact in [
        ("alb_idle_timeout_seconds", "alb_idle"),
        ("gateway_keepalive_timeout_seconds", "gateway_keepalive"),
        ("gateway_proxy_read_timeout_seconds", "gateway_proxy_read"),
        ("app_drain_seconds", "app_drain"),
        ("app_shutdown_timeout_seconds", "app_shutdown"),
        ("deregistration_delay_seconds", "deregistration_delay"),
        ("stop_timeout_seconds", "stop_timeout"),
    ]:
        assert module_default(variable) == t[fact], variable
    # Who closes an idle connection first, and who waits for whom at shutdown.
    assert t["alb_idle"] < t["gateway_keepalive"]
    assert t["gateway_upstream_keepalive"] < t["app_keepalive"]
    assert t["app_drain"] + t["app_shutdown"] < t["gateway_proxy_read"] < t["stop_timeout"]
    assert t["deregistration_delay"] >= t["app_drain"]


def test_the_gateway_readme_states_the_shared_timeouts() -> None:
    text = (ROOT / "nginx" / "README.md").read_text()
    t = TIMEOUTS
    assert f"Client-side keep-alive {t['gateway_keepalive']} s" in text
    assert f"ALB idle timeout ({t['alb_idle']} s)" in text
    assert (
        f"closed after {t['gateway_upstream_keepalive']} s: before the app's {t['app_keepalive']} s"
        in text
    )
    assert f"read {t['gateway_proxy_read']} s" in text
