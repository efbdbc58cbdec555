""".github/dependabot.yml covers what the repository pins, and names nothing that is not there.

Dependabot reports a directory without manifests as an error in the repository's settings, not
in a pull request, and says nothing about a manifest no entry names: both are checked here, from
the tracked files.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.harness import ROOT

CONFIG = ROOT / ".github" / "dependabot.yml"


def config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    return loaded


@functools.cache
def tracked() -> tuple[PurePosixPath, ...]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return tuple(PurePosixPath(line) for line in listed.splitlines() if (ROOT / line).exists())


def directories(entry: dict[str, Any]) -> list[str]:
    named = entry.get("directories", [entry["directory"]] if "directory" in entry else [])
    return [str(d) for d in named]


def expand(pattern: str) -> list[PurePosixPath]:
    """The repository directories a `directory`/`directories` value names (globs expanded)."""
    assert pattern.startswith("/"), f"{pattern}: Dependabot's directories start at the root (/)"
    relative = pattern.strip("/")
    if not relative:
        return [PurePosixPath(".")]
    return sorted(PurePosixPath(p.relative_to(ROOT)) for p in ROOT.glob(relative) if p.is_dir())


def covered(ecosystem: str) -> set[PurePosixPath]:
    return {
        directory
        for entry in config()["updates"]
        if entry["package-ecosystem"] == ecosystem
        for pattern in directories(entry)
        for directory in expand(pattern)
    }


# What Dependabot reads in a directory of each ecosystem (pip also reads the text files of the
# directory's immediate subdirectories, such as requirements/).
def manifests(ecosystem: str, directory: PurePosixPath) -> list[PurePosixPath]:
    files = tracked()
    if ecosystem == "pip":
        return [
            f
            for f in files
            if (f.name == "pyproject.toml" and f.parent == directory)
            or ("requirements" in str(f) and f.suffix == ".txt" and directory in f.parents[:2])
        ]
    if ecosystem == "docker":
        return [f for f in files if f.parent == directory and f.name.endswith("Dockerfile")]
    if ecosystem == "terraform":
        return [f for f in files if f.parent == directory and f.suffix == ".tf"]
    if ecosystem == "github-actions":
        return [f for f in files if f.parent == directory / ".github" / "workflows"]
    raise AssertionError(f"the test does not know the ecosystem {ecosystem}")


def test_every_directory_named_exists_and_holds_what_its_ecosystem_reads() -> None:
    loaded = config()
    assert loaded["version"] == 2
    ecosystems = [entry["package-ecosystem"] for entry in loaded["updates"]]
    assert sorted(ecosystems) == ["docker", "github-actions", "pip", "terraform"]
    for entry in loaded["updates"]:
        ecosystem = entry["package-ecosystem"]
        assert directories(entry), f"{ecosystem}: no directory"
        for pattern in directories(entry):
            found = expand(pattern)
            assert found, f"{ecosystem}: {pattern} names no directory of the repository"
            for directory in found:
                assert manifests(ecosystem, directory), f"{ecosystem}: nothing to read in {pattern}"


@pytest.mark.parametrize(
    ("ecosystem", "is_manifest"),
    [
        ("docker", lambda f: f.name.endswith("Dockerfile") or f.name == "Containerfile"),
        ("pip", lambda f: f.name == "pyproject.toml" or f.match("requirements*/*.txt")),
        ("github-actions", lambda f: f.match(".github/workflows/*.yml")),
    ],
)
def test_every_manifest_of_the_repository_is_watched(ecosystem: str, is_manifest: Any) -> None:
    found = [f for f in tracked() if is_manifest(f)]
    assert found, f"no {ecosystem} manifest: the test no longer finds what it checks"
    watched = covered(ecosystem)
    unwatched = [f for f in found if not any(f in manifests(ecosystem, d) for d in watched)]
    assert not unwatched, f"{ecosystem}: no Dependabot entry reads {unwatched}"


def test_every_provider_requirement_is_watched() -> None:
    """Dependabot takes providers from the required_providers of .tf files (the modules'
    versions.tf); the live units declare none (Terragrunt copies the module in)."""
    declaring = sorted(
        {f.parent for f in tracked() if f.suffix == ".tf" and "required_providers" in read(f)}
    )
    assert declaring, "no required_providers: the test no longer finds what it checks"
    assert set(declaring) <= covered("terraform"), set(declaring) - covered("terraform")
    units = [f for f in tracked() if f.match("live/*/*/terragrunt.hcl")]
    assert units
    assert not [u for u in units if "required_providers" in read(u)], (
        "a live unit declares a provider: Dependabot cannot read it there, move it to its module"
    )


def read(path: PurePosixPath) -> str:
    return Path(ROOT / path).read_text()


def test_every_entry_is_scheduled_and_waits_after_a_release() -> None:
    for entry in config()["updates"]:
        assert entry["schedule"]["interval"] in {"daily", "weekly", "monthly"}, entry
        assert entry["cooldown"]["default-days"] >= 3, entry["package-ecosystem"]
