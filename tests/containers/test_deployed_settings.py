"""Settings set once in a unit file reach the running task, and the task enforces them.

live/local/compute/terragrunt.hcl sets the body limit and the gateway's timeouts to values that
are neither the compute module's defaults nor the images' own: the module passes them through
the task definition, the local ECS runner starts the containers with that environment, and here
the running gateway and app show them. Uses the suite's deployment (tests/containers/conftest.py):
no deploy of its own.
"""

from __future__ import annotations

import json
import re

import pytest
import requests

from sumapi.config import Config
from tests.containers.test_local_deployment import api_key, podman, task_pods, url
from tests.harness import ROOT
from tests.harness.emulator import Emulator

UNIT = ROOT / "live" / "local" / "compute" / "terragrunt.hcl"
MODULE_VARIABLES = ROOT / "modules" / "compute" / "variables.tf"
RENDER = ROOT / "nginx" / "render"


def unit_setting(name: str) -> int:
    match = re.search(rf"^\s*{name}\s*=\s*(\d+)\s*$", UNIT.read_text(), re.MULTILINE)
    assert match, f"{UNIT.relative_to(ROOT)} does not set {name}"
    return int(match.group(1))


def module_default(name: str) -> int:
    block = re.search(
        rf'^variable "{name}" {{\n(.*?)^}}', MODULE_VARIABLES.read_text(), re.M | re.S
    )
    assert block, name
    default = re.search(r"^  default\s*=\s*(\d+)$", block.group(1), re.MULTILINE)
    assert default, name
    return int(default.group(1))


def render_default(name: str) -> int:
    match = re.search(rf"^{name}=\$\{{{name}:-(\d+)\}}$", RENDER.read_text(), re.MULTILINE)
    assert match, name
    return int(match.group(1))


def body_of(size: int) -> bytes:
    return b'{"a": 1, "b": 2}'.ljust(size)


@pytest.fixture(scope="module")
def limit() -> int:
    value = unit_setting("max_body_bytes")
    # Else the test could not tell the unit's value from a default that never moved.
    assert value not in {module_default("max_body_bytes"), Config().max_body_bytes}
    return value


@pytest.mark.usefixtures("deployed")
def test_the_gateway_refuses_a_body_over_the_units_limit(emulator: Emulator, limit: int) -> None:
    base, key = url(emulator), api_key(emulator)
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    over = requests.post(f"{base}/api/v1/sum", data=body_of(limit + 1), headers=headers, timeout=5)
    assert over.status_code == 413
    assert over.headers["Content-Type"].startswith("application/problem+json")
    assert over.json()["detail"] == f"The request body exceeds {limit} bytes."
    at = requests.post(f"{base}/api/v1/sum", data=body_of(limit), headers=headers, timeout=5)
    assert (at.status_code, at.json()) == (200, {"result": 3})


# Run inside the app container: a body straight to the app, past the gateway.
POST_TO_APP = """
import os, sys, urllib.error, urllib.request
size = int(sys.argv[1])
request = urllib.request.Request(
    f"http://127.0.0.1:{os.environ['SUMAPI_PORT']}/api/v1/sum",
    data=b'{"a": 1, "b": 2}'.ljust(size),
    headers={"Content-Type": "application/json"},
)
try:
    answer = urllib.request.urlopen(request, timeout=5)
except urllib.error.HTTPError as refused:
    answer = refused
print(answer.status, answer.read().decode())
"""


@pytest.mark.usefixtures("deployed")
def test_each_tasks_app_enforces_the_units_limit_itself(emulator: Emulator, limit: int) -> None:
    pods = task_pods(emulator)
    assert pods
    for pod in pods:
        status, _, text = podman(
            "exec", f"{pod}-app", "python", "-c", POST_TO_APP, str(limit + 1)
        ).partition(" ")
        assert status == "413", (pod, text)
        assert f"the limit is {limit}" in json.loads(text)["detail"], (pod, text)


@pytest.mark.usefixtures("deployed")
def test_each_tasks_gateway_runs_with_the_units_timeouts(emulator: Emulator, limit: int) -> None:
    expected = {
        "keepalive_timeout": unit_setting("gateway_keepalive_timeout_seconds"),
        "proxy_read_timeout": unit_setting("gateway_proxy_read_timeout_seconds"),
    }
    assert expected["keepalive_timeout"] not in {
        module_default("gateway_keepalive_timeout_seconds"),
        render_default("KEEPALIVE_TIMEOUT_SECONDS"),
    }
    assert expected["proxy_read_timeout"] not in {
        module_default("gateway_proxy_read_timeout_seconds"),
        render_default("PROXY_READ_TIMEOUT_SECONDS"),
    }
    pods = task_pods(emulator)
    assert pods
    for pod in pods:
        # What the entrypoint rendered at start and nginx loaded (nginx/gateway).
        loaded = podman("exec", f"{pod}-nginx", "sh", "-c", 'cat "$GATEWAY_RUN_DIR/nginx.conf"')
        # The upstream block has a keepalive_timeout of its own (towards the app).
        client_side, _, upstream = loaded.partition("upstream sumapi {")
        upstream = upstream.split("}", 1)[1]
        for directive, seconds in expected.items():
            found = re.findall(rf"^\s*{directive} (\S+);", client_side + upstream, re.MULTILINE)
            assert found == [f"{seconds}s"], (pod, directive, found)
        assert f"client_max_body_size {limit};" in loaded, pod
