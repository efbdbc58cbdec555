"""The rules the gateway must restate in its own language, against their one home.

Shared *settings* are not copied anywhere: the compute module passes each one to the containers
that read it (the body limit is the app's own SUMAPI_MAX_BODY_BYTES in both), and
tests/containers/test_deployed_settings.py proves that non-default values arrive. What remains
are rules that nginx syntax or POSIX sh cannot import from Python: the app's routes and methods,
its request-id rule, the key tool's key format, the bounds and default of the body limit, and
the order of the timeouts the gateway and the app keep without the module (make run, compose).
Each test compares the gateway's copy with the home, never with a third list.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from ops import keytool
from sumapi import observed
from sumapi.app import create_app
from sumapi.config import Config, ConfigError
from tests.harness import ROOT

TEMPLATES = ROOT / "nginx" / "templates"
NGINX = (TEMPLATES / "nginx.conf.template").read_text()
ROUTES = (TEMPLATES / "api-routes.conf").read_text()
RENDER = ROOT / "nginx" / "render"
KEY = "k" * 40


def render(out: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """nginx/render into out with only these settings (and a valid key) in its environment."""
    env = {"PATH": "/usr/bin:/bin", "API_KEYS": f"client:{KEY}", **settings}
    return subprocess.run(
        ["sh", str(RENDER), str(out)], env=env, capture_output=True, text=True, check=False
    )


def renders(api_keys: str, tmp_path: Path) -> bool:
    """Whether the renderer accepts these keys; any refusal must name API_KEYS."""
    result = render(Path(tempfile.mkdtemp(dir=tmp_path)), API_KEYS=api_keys)
    assert result.returncode == 0 or "API_KEYS" in result.stderr, result.stderr
    return result.returncode == 0


def nginx_block(text: str, opening: str) -> str:
    start = text.index(opening)
    return text[start : text.index("}", start)]


def app_routes() -> dict[str, set[str]]:
    """Path -> methods (HEAD aside) of every route the app serves."""
    served: dict[str, set[str]] = {}
    for route in create_app(Config()).router.routes():
        path = route.resource.canonical if route.resource else ""
        served.setdefault(path, set())
        if route.method != "HEAD":
            served[path].add(route.method)
    return served


def test_the_gateway_has_a_location_and_a_route_label_for_every_app_route() -> None:
    route_map = nginx_block(NGINX, "map $uri $route {")
    allowed_map = nginx_block(NGINX, "map $uri $allowed_methods {")
    served = app_routes()
    assert {"/healthz", "/readyz", "/api/v1/sum", "/metrics"} <= set(served)
    for path, methods in served.items():
        prefix = path.split("{", 1)[0]  # a dynamic route: its fixed start
        if prefix == path:
            location = re.search(rf"^location = {re.escape(path)} {{(.*?)\n}}", ROUTES, re.S | re.M)
            label = f"{path} {path};"
        else:
            opening = rf"^location (?:\^~ )?{re.escape(prefix)} {{(.*?)\n}}"
            location = re.search(opening, ROUTES, re.S | re.M)
            label = f"~^{prefix} {prefix.rstrip('/')};" if prefix != "/" else "default unmatched;"
        assert location, f"the app serves {path}: nginx has no location for it"
        assert label in route_map, f"nginx's $route map lacks {path}"
        body = location.group(1)
        if "proxy_pass" not in body:
            assert "return 404;" in body, f"{path}: neither proxied nor refused"
            continue  # internal: the gateway never forwards it
        check = re.search(r"if \(\$request_method (!~|!=) \^?\(?([A-Z|]+)\)?\$?\)", body)
        assert check, f"{path}: no method check"
        assert set(check.group(2).split("|")) - {"HEAD"} == methods, path
        if methods == {"GET"}:
            assert "HEAD" in check.group(2), f"{path}: HEAD is served with GET"
        else:
            assert f"{path} {', '.join(sorted(methods))};" in allowed_map, path
    assert 'default "GET, HEAD";' in allowed_map
    proxied = set(re.findall(r"^location = (\S+) \{", ROUTES, re.M)) - {"/_authenticate"}
    assert proxied <= set(served), f"nginx routes {proxied - set(served)}, which the app lacks"


def test_the_gateway_keeps_request_ids_by_the_apps_rule() -> None:
    pattern = observed._VALID_REQUEST_ID.pattern
    assert f'"~^{pattern}$" $http_x_request_id;' in NGINX


def test_the_renderer_accepts_the_keys_the_key_tool_makes_and_no_others(tmp_path: Path) -> None:
    client_rule = re.fullmatch(r"\^\[a-z0-9-\]\{1,(\d+)\}\$", keytool.CLIENT_PATTERN.pattern)
    assert client_rule, f"the renderer checks a-z 0-9 - only: {keytool.CLIENT_PATTERN.pattern}"
    client_max = int(client_rule.group(1))
    key_rule = re.fullmatch(r"\^\[A-Za-z0-9_-\]\{(\d+),(\d+)\}\$", keytool.KEY_PATTERN.pattern)
    assert key_rule, f"the renderer checks A-Z a-z 0-9 _ - only: {keytool.KEY_PATTERN.pattern}"
    key_min, key_max = int(key_rule.group(1)), int(key_rule.group(2))
    # The renderer (POSIX sh) checks by character set and length: probe its edges.
    for length, accepted in ((key_min - 1, False), (key_min, True), (key_max, True)):
        assert renders(f"client:{'k' * length}", tmp_path) == accepted, length
    assert not renders(f"client:{'k' * (key_max + 1)}", tmp_path)
    assert renders(f"{'c' * client_max}:{'k' * key_min}", tmp_path)
    assert not renders(f"{'c' * (client_max + 1)}:{'k' * key_min}", tmp_path)
    assert not renders(f"Client:{'k' * key_min}", tmp_path)  # client names are lower case
    assert not renders(f"client:{'k' * (key_min - 1)}+", tmp_path)  # not in the key alphabet
    for key in ("k" * key_min, "K_-9" * 10):
        assert keytool.KEY_PATTERN.fullmatch(key)
        assert renders(f"client:{key}", tmp_path)


def app_accepts(value: str) -> bool:
    try:
        Config.from_env({"SUMAPI_MAX_BODY_BYTES": value})
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize("value", ["63", "64", "12288", "1048576", "1048577", "16k", "-1", "1e4"])
def test_the_gateway_and_the_app_accept_the_same_body_limits(tmp_path: Path, value: str) -> None:
    result = render(tmp_path / "run", SUMAPI_MAX_BODY_BYTES=value)
    assert (result.returncode == 0) == app_accepts(value), (value, result.stderr)
    if result.returncode == 0:
        conf = (tmp_path / "run" / "nginx.conf").read_text()
        assert f"client_max_body_size {value};" in conf
        assert f"client_body_buffer_size {value};" in conf
        problems = (tmp_path / "run" / "problems.conf").read_text()
        assert f"exceeds {value} bytes" in problems
    else:
        assert "SUMAPI_MAX_BODY_BYTES" in result.stderr


def test_without_a_setting_the_gateway_and_the_app_cap_bodies_alike(tmp_path: Path) -> None:
    """make run, compose and `docker run` set nothing: each image's own default applies."""
    assert render(tmp_path / "run").returncode == 0
    conf = (tmp_path / "run" / "nginx.conf").read_text()
    assert f"client_max_body_size {Config().max_body_bytes};" in conf


def seconds(directive: str, text: str) -> int:
    match = re.search(rf"^\s*{directive} (\d+)s;", text, re.MULTILINE)
    assert match, f"{directive} not found"
    return int(match.group(1))


def test_without_the_module_the_gateway_and_the_apps_timeouts_stay_ordered(
    tmp_path: Path,
) -> None:
    """The compute module checks the timeouts it sets; these are the ones nothing sets."""
    assert render(tmp_path / "run").returncode == 0
    conf = (tmp_path / "run" / "nginx.conf").read_text()
    upstream = conf.split("upstream sumapi {")[1]
    app = Config()
    # The gateway closes an idle upstream connection before the app does.
    assert seconds("keepalive_timeout", upstream) < app.keepalive_seconds
    # The gateway waits for a request the app is still finishing while it shuts down.
    assert app.drain_seconds + app.shutdown_timeout_seconds < seconds("proxy_read_timeout", conf)
