"""compose.yaml, as a Docker user runs it: `docker compose up --build` on a machine with nothing
else, a development key made on the first start, the service answering through its gateway
only, and a clean stop (make test-compose).

The compose implementation is Docker Compose v5 (built by make); the engine is this machine's:
here podman's Docker API (localenv/docker_api.py), where Docker answers, Docker.
"""

from __future__ import annotations

import requests

from tests.harness.compose import Project

SUM = {"a": 2, "b": 3}


def test_the_first_start_makes_a_dev_key_that_the_gateway_accepts(up: Project) -> None:
    key = up.dev_key()
    answered = requests.post(
        f"{up.url}/api/v1/sum", json=SUM, headers={"X-API-Key": key}, timeout=5
    )
    assert (answered.status_code, answered.json()) == (200, {"result": 5})
    refused = requests.post(
        f"{up.url}/api/v1/sum", json=SUM, headers={"X-API-Key": key[::-1]}, timeout=5
    )
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert key not in refused.text


def test_only_the_gateway_is_published_and_metrics_stay_inside(up: Project) -> None:
    published = {
        (c["Service"], p["URL"], p["PublishedPort"])
        for c in up.containers()
        for p in c.get("Publishers") or []
        if p.get("PublishedPort")
    }
    # The gateway runs in the app's network namespace: the one port is listed for both.
    assert {port for _, _, port in published} == {up.port}
    assert {url for _, url, _ in published} == {"127.0.0.1"}
    assert requests.get(f"{up.url}/healthz", timeout=5).json()["status"] == "ok"
    assert requests.get(f"{up.url}/metrics", timeout=5).status_code == 404


def test_the_dev_key_is_kept_when_the_project_is_recreated(up: Project) -> None:
    """`down` without `-v` keeps the volume: new containers, the same key."""
    key = up.dev_key()
    up.compose("down", timeout=120)
    up.start()
    assert up.dev_key() == key
    logs = up.compose("logs", "--no-color", "--no-log-prefix", "dev-key")
    assert "the development API key of this compose project" in logs
    answered = requests.post(
        f"{up.url}/api/v1/sum", json=SUM, headers={"X-API-Key": key}, timeout=5
    )
    assert answered.status_code == 200


def test_stop_is_clean_and_down_leaves_nothing(up: Project) -> None:
    up.compose("stop", timeout=120)
    exits = {c["Service"]: (c["State"], c["ExitCode"]) for c in up.containers()}
    # The app drains and exits 0 on SIGTERM, nginx finishes on SIGQUIT; dev-key ran once.
    assert exits == {name: ("exited", 0) for name in ("app", "gateway", "dev-key")}
    up.compose("down", "--volumes", timeout=120)
    assert up.engine_objects() == {"containers": [], "volumes": [], "networks": []}
