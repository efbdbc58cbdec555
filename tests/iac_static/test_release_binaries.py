"""make release-tools and make sbom: what GitHub's runners download is installed only with the
SHA-256 versions.env pins, and stops in one line otherwise.

The releases are served from loopback (RELEASES_URL, the same paths as GitHub's): stand-in
binaries, so the pins under test are theirs. Whether the pins of versions.env match the real
downloads cannot be checked from this machine (docs/infrastructure.md#release-binaries).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.harness import ROOT

PINS = dict(
    line.split("=", 1)
    for line in (ROOT / "versions.env").read_text().splitlines()
    if "=" in line and not line.startswith("#")
)
TOFU, TERRAGRUNT, SYFT = PINS["OPENTOFU_VERSION"], PINS["TERRAGRUNT_VERSION"], PINS["SYFT_VERSION"]


def script(text: str) -> bytes:
    return f"#!/bin/sh\n{text}\n".encode()


def tar_gz(member: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in ((member, content), ("LICENSE", b"licence\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Releases:
    """Stand-ins for the release downloads, at GitHub's paths, and their SHA-256 pins."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = {
            f"opentofu/opentofu/releases/download/v{TOFU}/tofu_{TOFU}_linux_amd64.tar.gz": tar_gz(
                "tofu", script(f"echo OpenTofu v{TOFU}")
            ),
            f"gruntwork-io/terragrunt/releases/download/v{TERRAGRUNT}/terragrunt_linux_amd64": (
                script(f"echo terragrunt version v{TERRAGRUNT}")
            ),
            f"anchore/syft/releases/download/v{SYFT}/syft_{SYFT}_linux_amd64.tar.gz": tar_gz(
                "syft", script(f"echo syft {SYFT}")
            ),
        }
        for path, data in self.files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
        self.requests: list[str] = []

    def pins(self) -> dict[str, str]:
        keys = ["OPENTOFU_SHA256_LINUX_AMD64", "TERRAGRUNT_SHA256_LINUX_AMD64"]
        keys.append("SYFT_SHA256_LINUX_AMD64")
        return {key: sha256(data) for key, data in zip(keys, self.files.values(), strict=True)}


@pytest.fixture
def releases(tmp_path: Path) -> Iterator[tuple[Releases, str]]:
    served = Releases(tmp_path / "releases")

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            served.requests.append(self.path)

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(served.root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def make(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def release_tools(url: str, tools: Path, pins: dict[str, str]) -> subprocess.CompletedProcess[str]:
    settings = [f"{key}={value}" for key, value in pins.items()]
    return make("release-tools", f"RELEASES_URL={url}", f"TOOLS_DIR={tools}", *settings)


def ours(stderr: str) -> list[str]:
    """stderr without make's own `make: *** ... Error 1` line."""
    return [line for line in stderr.splitlines() if not line.startswith("make")]


def test_release_tools_installs_the_pinned_binaries_and_the_go_builds_are_done(
    releases: tuple[Releases, str], tmp_path: Path
) -> None:
    served, url = releases
    tools = tmp_path / "tools"
    result = release_tools(url, tools, served.pins())
    assert result.returncode == 0, result.stderr
    assert subprocess.run([tools / "bin" / "tofu"], capture_output=True, text=True).stdout == (
        f"OpenTofu v{TOFU}\n"
    )
    assert subprocess.run(
        [tools / "bin" / "terragrunt"], capture_output=True, text=True
    ).stdout == (f"terragrunt version v{TERRAGRUNT}\n")
    # What a deploy job runs next: nothing left to build from Go modules.
    dry = make("-n", "infra-tools", f"TOOLS_DIR={tools}")
    assert dry.returncode == 0, dry.stderr
    assert "go-module-build" not in dry.stdout, dry.stdout


@pytest.mark.parametrize("wrong", ["OPENTOFU_SHA256_LINUX_AMD64", "TERRAGRUNT_SHA256_LINUX_AMD64"])
def test_a_download_that_is_not_the_pinned_one_stops_in_one_line_and_is_not_installed(
    releases: tuple[Releases, str], tmp_path: Path, wrong: str
) -> None:
    served, url = releases
    tools = tmp_path / "tools"
    pins = served.pins()
    pins[wrong] = sha256(b"another build")
    result = release_tools(url, tools, pins)
    assert result.returncode != 0
    [line] = ours(result.stderr)
    assert re.fullmatch(
        rf"release-binary: http\S+ has SHA-256 [0-9a-f]{{64}}, versions\.env {wrong} pins "
        rf"{pins[wrong]}: not installed",
        line,
    ), line
    installed = "tofu" if wrong == "OPENTOFU_SHA256_LINUX_AMD64" else "terragrunt"
    assert not (tools / "bin" / installed).exists()


@pytest.mark.parametrize("pin", ["unset", "0" * 63, "A" * 64])
def test_a_pin_that_is_not_a_sha256_stops_before_any_download(
    releases: tuple[Releases, str], tmp_path: Path, pin: str
) -> None:
    served, url = releases
    result = release_tools(url, tmp_path / "tools", {"OPENTOFU_SHA256_LINUX_AMD64": pin})
    assert result.returncode != 0
    [line] = ours(result.stderr)
    assert line.startswith(
        f"release-binary: versions.env OPENTOFU_SHA256_LINUX_AMD64='{pin}' is not a SHA-256"
    )
    assert f"tofu_{TOFU}_linux_amd64.tar.gz" in line
    assert served.requests == []


def test_sbom_writes_one_spdx_document_per_image_from_the_engines_export(
    releases: tuple[Releases, str], tmp_path: Path
) -> None:
    """The syft of the release (a stand-in that writes what it read) scans each image as the
    engine exported it; the engine is a stand-in docker too."""
    served, url = releases
    tools, sboms, saved = tmp_path / "tools", tmp_path / "sbom", tmp_path / "saved"
    syft = script(
        "archive=${3#docker-archive:}; out=${9#spdx-json=}; "
        'printf \'{"name": "%s", "version": "%s", "archive": "%s"}\' '
        '"$5" "$7" "$(cat "$archive")" >"$out"'
    )
    (
        served.root / f"anchore/syft/releases/download/v{SYFT}/syft_{SYFT}_linux_amd64.tar.gz"
    ).write_bytes(tar_gz("syft", syft))
    engine = tmp_path / "docker"
    engine.write_bytes(
        script(f'[ "$1" = save ] && echo "export of $4" >"$3" && echo "$4" >>{saved}')
    )
    engine.chmod(0o755)
    args = [
        f"RELEASES_URL={url}",
        f"TOOLS_DIR={tools}",
        f"SBOM_DIR={sboms}",
        f"CONTAINER_ENGINE={engine}",
    ]
    result = make(
        "sbom",
        "IMAGE_TAG=abc1234",
        *args,
        f"SYFT_SHA256_LINUX_AMD64={sha256(tar_gz('syft', syft))}",
    )
    assert result.returncode == 0, result.stderr
    assert saved.read_text().split() == ["sumapi:abc1234", "sumapi-gateway:abc1234"]
    for image in ("sumapi", "sumapi-gateway"):
        document = (sboms / f"{image}-abc1234.spdx.json").read_text()
        assert document == (
            f'{{"name": "{image}", "version": "abc1234", "archive": "export of {image}:abc1234"}}'
        )
    # An image that was never built: one line, naming it.
    engine.write_bytes(script("exit 125"))
    failed = make(
        "sbom",
        "IMAGE_TAG=def5678",
        *args,
        f"SYFT_SHA256_LINUX_AMD64={sha256(tar_gz('syft', syft))}",
    )
    assert failed.returncode != 0
    assert ours(failed.stderr) == ["sbom: no SBOM of sumapi:def5678 (is it built? make images)"]


def test_versions_env_pins_each_release_download() -> None:
    """Each tool a runner downloads has a pin; a pin is a SHA-256 or empty (which stops
    release-tools in one line until it is filled in: see versions.env for which and why)."""
    for key in ("OPENTOFU", "TERRAGRUNT", "SYFT"):
        assert re.fullmatch(r"(|[0-9a-f]{64})", PINS[f"{key}_SHA256_LINUX_AMD64"]), key


def test_an_empty_tofu_pin_leaves_tofu_to_the_go_build_in_one_line(
    releases: tuple[Releases, str], tmp_path: Path
) -> None:
    """Until the OpenTofu pin is filled in (versions.env says why it is empty), a runner gets
    Terragrunt's release binary and builds tofu from Go modules, instead of a failed job."""
    served, url = releases
    tools = tmp_path / "tools"
    pins = served.pins()
    pins["OPENTOFU_SHA256_LINUX_AMD64"] = ""
    result = release_tools(url, tools, pins)
    assert result.returncode == 0, result.stderr
    [line] = [x for x in result.stderr.splitlines() if x.startswith("release-tools:")]
    assert "OPENTOFU_SHA256_LINUX_AMD64 is empty" in line
    assert f"tofu_{TOFU}_SHA256SUMS" in line
    assert not (tools / "bin" / "tofu").exists()
    assert (tools / "bin" / "terragrunt").exists()
    assert not any("tofu_" in request for request in served.requests)
    dry = make("-n", "infra-tools", f"TOOLS_DIR={tools}", *(f"{k}={v}" for k, v in pins.items()))
    assert dry.returncode == 0, dry.stderr
    assert "github.com/opentofu/opentofu" in dry.stdout
    assert "github.com/gruntwork-io/terragrunt" not in dry.stdout
