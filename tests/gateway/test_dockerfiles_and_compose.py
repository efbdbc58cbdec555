"""Static properties of the Dockerfiles and the compose file (no container engine needed), and
`make images` where Docker answers (a stand-in docker that records what it is asked).

hadolint (make lint-docker) checks Dockerfile style; docker-compose config checks the compose
schema. These tests check the properties we rely on, and that the compose and image settings
really render into a configuration nginx accepts. The images themselves are built and run as
the deployed task by tests/containers (make test-containers), and compose.yaml by Docker Compose
in tests/compose (make test-compose).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.harness import ROOT
from tests.harness.gateway import RENDER, new_key, nginx_test, render

DOCKERFILES = [ROOT / "Dockerfile", ROOT / "nginx" / "Dockerfile"]


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text())
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def image_env(dockerfile: Path) -> dict[str, str]:
    """ENV of the final stage, with ${ARG} references replaced by the ARG defaults."""
    args: dict[str, str] = {}
    env: dict[str, str] = {}
    for word, rest in instructions(dockerfile):
        if word == "ARG" and "=" in rest:
            name, _, default = rest.partition("=")
            args[name] = default
        elif word == "ENV":
            for name, value in re.findall(r"(\w+)=(\S+)", rest):
                env[name] = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m[1], m[0]), value)
    return env


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_image_runs_unprivileged_with_exec_entrypoint_stop_signal_and_healthcheck(
    dockerfile: Path,
) -> None:
    found = instructions(dockerfile)
    words = [word for word, _ in found]
    args = dict(found)
    # The upstream base is a FROM line of its own (Dependabot reads FROM lines, not ARG
    # defaults), an exact version tag, never a floating one; the stages start from the ARG,
    # whose default is that stage, so a build without a registry can name another base.
    [(base_arg, upstream_stage)] = [
        rest.split("=", 1) for word, rest in found if word == "ARG" and "_IMAGE=" in rest
    ]
    upstream = [rest for word, rest in found if word == "FROM" and "${" not in rest]
    assert len(upstream) == 1, upstream
    image, alias, stage = upstream[0].split()
    assert (alias, stage) == ("AS", upstream_stage)
    assert re.search(r":\d+\.\d+\.\d+-", image), image
    stages = [rest.split()[0] for word, rest in found if word == "FROM" and "${" in rest]
    assert stages
    assert set(stages) == {f"${{{base_arg}}}"}
    user = args["USER"].split(":")[0]
    assert user not in {"root", "0"}
    assert words.index("USER") > max(i for i, w in enumerate(words) if w in {"COPY", "RUN"})
    assert args["ENTRYPOINT"].startswith("[")
    assert args["STOPSIGNAL"] in {"SIGTERM", "SIGQUIT"}
    assert "HEALTHCHECK" in words


def test_service_image_is_multi_stage_without_build_tools_at_runtime() -> None:
    found = instructions(ROOT / "Dockerfile")
    # The upstream base's stage, then build and runtime, both from the base the ARG names.
    stages = [rest for word, rest in found if word == "FROM"]
    assert [stage.split()[0] for stage in stages[1:]] == ["${PYTHON_IMAGE}"] * 2
    last_from = max(i for i, (word, _) in enumerate(found) if word == "FROM")
    runtime = found[last_from:]
    runtime_runs = " ".join(rest for word, rest in runtime if word == "RUN")
    assert "pip install" not in runtime_runs
    assert "apt-get" not in runtime_runs
    assert ("COPY", "--from=build /opt/venv /opt/venv") in runtime


def test_dockerignore_keeps_local_secrets_out_of_the_build_context() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert lines[lines.index("*")] == "*"  # deny by default
    assert not any(line.startswith("!") and ".env" in line for line in lines)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_compose_wires_the_gateway_like_an_ecs_task() -> None:
    services = compose()["services"]
    app, gateway = services["app"], services["gateway"]
    assert app["environment"]["SUMAPI_HOST"] == "127.0.0.1"
    assert gateway["network_mode"] == "service:app"
    assert gateway["depends_on"]["app"]["condition"] == "service_healthy"
    assert app["ports"] == ["127.0.0.1:${GATEWAY_PORT:-8080}:8080"]
    assert gateway["build"]["context"] == "./nginx"
    # The key: made by the dev-key service on the first start, never a setting to provide.
    assert "API_KEYS" not in gateway["environment"]
    assert gateway["depends_on"]["dev-key"]["condition"] == "service_completed_successfully"
    assert gateway["volumes"] == ["dev-key:/run/dev-key:ro"]


def test_gateway_settings_of_compose_and_image_render_into_a_valid_config(tmp_path: Path) -> None:
    settings = image_env(ROOT / "nginx" / "Dockerfile")
    settings.update(compose()["services"]["gateway"]["environment"])
    settings["API_KEYS"] = f"dev:{new_key()}"
    settings.pop("GATEWAY_RUN_DIR")
    result = render(tmp_path / "run", **settings)
    assert result.returncode == 0, result.stderr
    assert nginx_test(tmp_path / "run").returncode == 0


def test_every_renderer_setting_is_documented_for_the_task_definition() -> None:
    used = set(re.findall(r"^(\w+)=\$\{\1:-", RENDER.read_text(), re.MULTILINE)) | {"API_KEYS"}
    readme = (ROOT / "nginx" / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)`", readme, re.MULTILINE))
    assert used <= documented, used - documented
    assert used >= documented - {"GATEWAY_RUN_DIR", "NGINX_BIN"}


def path_without(directory: Path, *missing: str) -> str:
    """A PATH of links to every command of this machine except `missing`."""
    directory.mkdir()
    for source in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        for command in Path(source).iterdir() if Path(source).is_dir() else ():
            link = directory / command.name
            if command.name not in missing and not link.exists() and os.access(command, os.X_OK):
                link.symlink_to(command)
    return str(directory)


def test_make_images_builds_for_the_task_platform_with_docker_and_installs_nothing(
    tmp_path: Path,
) -> None:
    """Where `docker info` answers, `make images` builds with Docker for linux/amd64 (Fargate's
    X86_64, whatever the host) and installs nothing: no apt-get on PATH (macOS has none), and no
    podman either, so a call of `make container-engine` would have to install it and fail."""
    calls = tmp_path / "docker-calls"
    fake = tmp_path / "fake"
    fake.mkdir()
    docker = fake / "docker"
    docker.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >>{shlex.quote(str(calls))}\n')
    docker.chmod(0o755)
    tools = path_without(
        tmp_path / "bin",
        "apt",
        "apt-get",
        "aptitude",
        "dpkg",
        "sudo",
        "podman",
        "runc",
        "catatonit",
        "mmdebstrap",
        "docker-registry",
        "docker",
    )
    env = {"PATH": f"{fake}:{tools}", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    result = subprocess.run(
        ["make", "-C", str(ROOT), "images", "IMAGE_TAG=abc1234"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "apt" not in result.stdout + result.stderr
    recorded = calls.read_text().splitlines()
    assert recorded[0] == "info", "the engine is chosen by asking the daemon"
    builds = [shlex.split(line) for line in recorded if line.startswith("build ")]
    assert len(builds) == 2, recorded
    assert len(recorded) == 3, recorded
    for build in builds:
        assert build[build.index("--platform") + 1] == "linux/amd64", build
        assert "--pull" in build, "Docker refreshes the upstream bases"
    assert [(b[b.index("-t") + 1], b[-1]) for b in builds] == [
        ("sumapi:abc1234", str(ROOT)),
        ("sumapi-gateway:abc1234", str(ROOT / "nginx")),
    ]
