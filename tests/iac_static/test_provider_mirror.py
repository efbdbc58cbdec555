"""devtools/aws-provider-mirror links a machine's provider package, never copies it, and says in
one line what to do where there is none. On stand-in packages (a few bytes, not 700 MB)."""

from __future__ import annotations

import platform
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.harness import ROOT

SCRIPT = ROOT / "devtools" / "aws-provider-mirror"
VERSION = "5.100.0"
BINARY = f"terraform-provider-aws_v{VERSION}_x5"
HOSTS = ("registry.opentofu.org", "registry.terraform.io")


def this_platform() -> str:
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    return f"{platform.system().lower()}_{machine}"


def mirror(tmp_path: Path, source: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), str(tmp_path / "mirror"), str(tmp_path / "tofurc"), VERSION, str(source)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_platform_it_links_is_the_one_it_names() -> None:
    """make provider-download asks the registry for the platform the script links."""
    named = subprocess.run([str(SCRIPT), "--platform"], capture_output=True, text=True, check=True)
    assert named.stdout.strip() == this_platform()


def test_an_unpacked_package_is_linked_for_both_registry_names(tmp_path: Path) -> None:
    package = (
        tmp_path / "machine" / "registry.terraform.io/hashicorp/aws" / VERSION / this_platform()
    )
    package.mkdir(parents=True)
    (package / BINARY).write_text("#!/bin/sh\n")
    (package / BINARY).chmod(0o755)

    result = mirror(tmp_path, tmp_path / "machine")

    assert result.returncode == 0, result.stderr
    for host in HOSTS:
        linked = tmp_path / "mirror" / host / "hashicorp/aws" / VERSION / this_platform()
        assert linked.is_symlink(), host
        assert linked.resolve() == package.resolve()
    config = (tmp_path / "tofurc").read_text()
    assert f'path    = "{tmp_path / "mirror"}"' in config
    assert "filesystem_mirror" in config
    assert "direct" not in config, "no registry: the mirror only"


def test_a_packed_package_is_unpacked_once_and_linked(tmp_path: Path) -> None:
    packed = tmp_path / "machine" / "registry.opentofu.org/hashicorp/aws"
    packed.mkdir(parents=True)
    archive = packed / f"terraform-provider-aws_{VERSION}_{this_platform()}.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(BINARY, "#!/bin/sh\n")
        zipped.writestr("LICENSE.txt", "license\n")

    assert mirror(tmp_path, tmp_path / "machine").returncode == 0
    unpacked = tmp_path / "mirror.unpacked" / VERSION / this_platform()
    assert sorted(p.name for p in unpacked.iterdir()) == ["LICENSE.txt", BINARY]
    linked = tmp_path / "mirror" / HOSTS[0] / "hashicorp/aws" / VERSION / this_platform()
    assert linked.resolve() == unpacked.resolve()

    before = (unpacked / BINARY).stat().st_mtime_ns
    archive.unlink()  # a second run reuses what it unpacked
    (packed / archive.name).touch()
    assert mirror(tmp_path, tmp_path / "machine").returncode == 0
    assert (unpacked / BINARY).stat().st_mtime_ns == before


@pytest.mark.parametrize("source", ["missing", "empty"])
def test_without_the_package_it_stops_with_one_line_naming_what_to_do(
    tmp_path: Path, source: str
) -> None:
    if source == "empty":
        (tmp_path / source).mkdir()
    result = mirror(tmp_path, tmp_path / source)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"no hashicorp/aws {VERSION} for {this_platform()}" in lines[0]
    assert "tofu providers mirror" in lines[0]
    assert "make tools PROVIDER_MIRROR=" in lines[0]
    assert "lock.hcl" in lines[0], "the registry way of a real environment"
    assert not (tmp_path / "tofurc").exists()
