"""The renderer: a bad value stops start-up with a clear message; nothing can inject config."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.harness import ROOT
from tests.harness.gateway import (
    GATEWAY,
    NGINX,
    RENDER,
    SHELLS,
    installed,
    new_key,
    nginx_test,
    render,
)
from tests.harness.loopback import free_port
from tests.harness.processes import base_env


@pytest.fixture(params=SHELLS, ids=lambda shell: " ".join(shell))
def shell(request: pytest.FixtureRequest) -> list[str]:
    chosen: list[str] = request.param
    installed(chosen[0], chosen[0])
    return chosen


GOOD = "a" * 40


def test_rendered_config_passes_nginx_t(tmp_path: Path, shell: list[str]) -> None:
    result = render(tmp_path / "run", shell, API_KEYS=f"web:{new_key()},mobile:{new_key()}")
    assert result.returncode == 0, result.stderr
    checked = nginx_test(tmp_path / "run")
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_every_setting_renders_and_passes_nginx_t(tmp_path: Path, shell: list[str]) -> None:
    longest = "Z" * 128
    shortest = "y" * 32
    result = render(
        tmp_path / "run",
        shell,
        API_KEYS=f" c{'x' * 31}:{longest} ,\nb:{shortest}\n",
        UPSTREAM="127.0.0.1:8000,localhost:8001",
        LISTEN_ADDR="127.0.0.1",
        LISTEN_PORT="18080",
        TRUSTED_PROXIES="10.0.0.0/16, 127.0.0.1, 2001:db8::/32",
        SUM_RATE="30r/m",
        SUM_BURST="3",
        UNAUTH_RATE="1r/s",
        UNAUTH_BURST="5",
        HIGH_RATE_CLIENTS="b",
        HIGH_RATE="50000r/s",
        HIGH_BURST="100000",
        WORKER_PROCESSES="2",
        ACCESS_LOG="off",
        KEEPALIVE_TIMEOUT_SECONDS="75",
        PROXY_READ_TIMEOUT_SECONDS="28",
        SUMAPI_MAX_BODY_BYTES="1048576",
    )
    assert result.returncode == 0, result.stderr
    checked = nginx_test(tmp_path / "run")
    assert checked.returncode == 0, checked.stderr
    conf = (tmp_path / "run" / "nginx.conf").read_text()
    assert "rate=30r/m" in conf
    # 30 r/m: one token every 2 s (the problem responses are their own include).
    assert "Retry-After 2" in (tmp_path / "run" / "problems.conf").read_text()
    assert "access_log off;" in conf
    assert "    keepalive_timeout 75s;" in conf
    assert "proxy_read_timeout 28s;" in conf
    assert "client_max_body_size 1048576;" in conf
    assert "exceeds 1048576 bytes" in (tmp_path / "run" / "problems.conf").read_text()


def test_keys_file_is_private_and_maps_keys_to_client_names(tmp_path: Path) -> None:
    key = new_key()
    assert render(tmp_path / "run", API_KEYS=f"web:{key}").returncode == 0
    keys_file = tmp_path / "run" / "api-keys.conf"
    assert keys_file.stat().st_mode & 0o077 == 0
    assert f'"{key}" "web";' in keys_file.read_text()


@pytest.mark.parametrize(
    ("api_keys", "message"),
    [
        ("", "API_KEYS is empty"),
        (f"web{GOOD}", "entry 1 is not in the form client:key"),
        (f"web:{GOOD},", "ends with a comma"),
        (f"web:{GOOD},,x:{GOOD}", "entry 2 is not in the form client:key"),
        (f"Web:{GOOD}", "entry 1: client name"),
        (f"{'c' * 33}:{GOOD}", "entry 1: client name"),
        (f":{GOOD}", "entry 1: client name"),
        ("web:" + "a" * 31, "entry 1: key must be 32-128"),
        ("web:" + "a" * 129, "entry 1: key must be 32-128"),
        (f'web:{GOOD}" "admin";}} server {{ listen 9999; #', "entry 1: key must be"),
        (f"web:{GOOD}\n}}\ninclude /etc/passwd;", "entry 1: key must be"),
        (f"web:{GOOD};", "entry 1: key must be"),
        (f"web:{GOOD}$http_host", "entry 1: key must be"),
        (f"web:{GOOD} {GOOD}", "entry 1: key must be"),
        (f"web:{GOOD}/..", "entry 1: key must be"),
        (f"web:{GOOD}:x", "entry 1: key must be"),
        (f"a:{GOOD},b:{GOOD}", "entry 2 repeats an earlier key"),
    ],
)
def test_unsafe_or_malformed_keys_stop_rendering(
    tmp_path: Path, shell: list[str], api_keys: str, message: str
) -> None:
    result = render(tmp_path / "run", shell, API_KEYS=api_keys)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.startswith("gateway config error:")
    # The message never repeats the offending value: it may be (most of) a real key.
    assert GOOD not in result.stderr
    assert not (tmp_path / "run" / "api-keys.conf").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LISTEN_PORT", "80; include /etc/passwd"),
        ("LISTEN_PORT", "70000"),
        ("LISTEN_ADDR", "0.0.0.0:80 default_server;"),
        ("UPSTREAM", "127.0.0.1:8000; server evil:80"),
        ("UPSTREAM", "127.0.0.1"),
        ("TRUSTED_PROXIES", "0.0.0.0/0;\nset_real_ip_from all"),
        ("SUM_RATE", "5r/s burst=1000"),
        ("UNAUTH_RATE", "0r/m"),
        ("UNAUTH_RATE", "08r/m"),
        ("SUM_BURST", "10 nodelay"),
        ("HIGH_RATE_CLIENTS", 'bench" $api_client; default "'),
        ("WORKER_PROCESSES", "auto; user root"),
        ("ACCESS_LOG", "relative.log"),
        ("ACCESS_LOG", "/tmp/a|b"),
        ("KEEPALIVE_TIMEOUT_SECONDS", "65s; include /etc/passwd"),
        ("KEEPALIVE_TIMEOUT_SECONDS", "0"),
        ("PROXY_READ_TIMEOUT_SECONDS", "025"),
        ("PROXY_READ_TIMEOUT_SECONDS", "86401"),
        ("SUMAPI_MAX_BODY_BYTES", "16k"),
        ("SUMAPI_MAX_BODY_BYTES", "16384; client_max_body_size 0"),
    ],
)
def test_unsafe_settings_stop_rendering(
    tmp_path: Path, shell: list[str], name: str, value: str
) -> None:
    result = render(tmp_path / "run", shell, API_KEYS=f"web:{GOOD}", **{name: value})
    assert result.returncode == 2
    assert name in result.stderr
    assert not (tmp_path / "run" / "nginx.conf").exists()


def test_gateway_entrypoint_refuses_to_start_nginx_on_a_bad_key(tmp_path: Path) -> None:
    result = subprocess.run(
        ["sh", str(GATEWAY)],
        env=base_env(
            API_KEYS="web:short",
            GATEWAY_RUN_DIR=str(tmp_path / "run"),
            NGINX_BIN=NGINX,
            LISTEN_PORT=str(free_port()),
        ),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "gateway config error: API_KEYS entry 1: key must be 32-128 characters of"
        " A-Z a-z 0-9 _ - (got 5)"
    )
    assert not (tmp_path / "run" / "nginx.pid").exists()


RENDER_DEFAULT = re.compile(r"^([A-Z][A-Z_]*)=\$\{\1:-([^}]*)\}$", re.MULTILINE)
README_ROW = re.compile(r"^\| `([A-Z][A-Z_]*)` \| ([^|]*) \|", re.MULTILINE)


def test_the_readme_lists_every_setting_with_the_renderers_default() -> None:
    """nginx/README.md's environment table is the renderer's inputs and defaults, no others."""
    defaults = dict(RENDER_DEFAULT.findall(RENDER.read_text()))
    rows = dict(README_ROW.findall((ROOT / "nginx" / "README.md").read_text()))
    assert {"KEEPALIVE_TIMEOUT_SECONDS", "SUMAPI_MAX_BODY_BYTES"} <= set(defaults)
    for name, default in defaults.items():
        assert name in rows, f"nginx/README.md does not list {name}"
        assert rows[name].strip() == (f"`{default}`" if default else "(none)"), name
    # API_KEYS (required), and the entrypoint's GATEWAY_RUN_DIR and NGINX_BIN.
    assert set(rows) - set(defaults) == {"API_KEYS", "GATEWAY_RUN_DIR", "NGINX_BIN"}
