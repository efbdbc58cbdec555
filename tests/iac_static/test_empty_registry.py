"""The step before destroy that empties the ECR repositories (fast: in-process moto, fakes).

The slow cycle (test_stack.py) runs it through `make destroy` against the emulator, after
pushing an image, and checks that the destroy then finishes.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from moto import mock_aws

from ops import empty_registry
from ops.empty_registry import EmptyRegistryError, empty_all, empty_repository

REGION = "us-east-1"


def manifest(layer: str) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": "sha256:" + layer * 64,
            },
            "layers": [],
        }
    )


@pytest.fixture
def ecr(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.client("ecr", region_name=REGION)


def test_every_image_goes_and_the_repositories_can_then_be_deleted(ecr: Any) -> None:
    for repository, layers in (("env/app", "abc"), ("env/nginx", "d")):
        ecr.create_repository(repositoryName=repository)
        for n, layer in enumerate(layers):
            ecr.put_image(
                repositoryName=repository, imageManifest=manifest(layer), imageTag=f"t{n}"
            )
    # One image under two tags: two ids, one image.
    ecr.put_image(repositoryName="env/app", imageManifest=manifest("a"), imageTag="again")
    with pytest.raises(ecr.exceptions.RepositoryNotEmptyException):
        ecr.delete_repository(repositoryName="env/app")

    lines: list[str] = []
    empty_all(ecr, ["env/app", "env/nginx", "env/gone"], lines.append)

    for repository in ("env/app", "env/nginx"):
        assert ecr.list_images(repositoryName=repository)["imageIds"] == []
        ecr.delete_repository(repositoryName=repository)
    assert lines[1] == "empty-registry: env/nginx: 1 image(s) deleted, empty"
    assert lines[2] == "empty-registry: env/gone: already gone"


def test_the_command_line_names_its_repositories(
    ecr: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ecr.create_repository(repositoryName="env/app")
    ecr.put_image(repositoryName="env/app", imageManifest=manifest("e"), imageTag="abc1234")

    assert empty_registry.main(["--repository", "env/app"]) == 0

    assert ecr.list_images(repositoryName="env/app")["imageIds"] == []
    assert "env/app: 1 image(s) deleted" in capsys.readouterr().out


class FakeEcr:
    """list_images/batch_delete_image with scripted failures per pass."""

    def __init__(self, images: list[str], refuse: dict[str, list[str]]) -> None:
        self.images = list(images)
        self.refuse = refuse  # digest -> failure codes, one per pass, consumed in order

    def get_paginator(self, _: str) -> Any:
        fake = self

        class Paginator:
            def paginate(self, **_: Any) -> list[dict[str, Any]]:
                return [{"imageIds": [{"imageDigest": d} for d in fake.images]}]

        return Paginator()

    def batch_delete_image(self, repositoryName: str, imageIds: list[dict[str, str]]) -> Any:  # noqa: N803
        done, failures = [], []
        for image_id in imageIds:
            digest = image_id["imageDigest"]
            codes = self.refuse.get(digest, [])
            if codes:
                failures.append({"imageId": image_id, "failureCode": codes.pop(0)})
            else:
                self.images.remove(digest)
                done.append(image_id)
        return {"imageIds": done, "failures": failures}


def test_children_of_an_image_index_go_on_a_later_pass() -> None:
    ecr = FakeEcr(["index", "child-1", "child-2"], {"child-1": ["ImageReferencedByManifestList"]})
    assert empty_repository(ecr, "env/app") == 3
    assert ecr.images == []


def test_a_refusal_other_than_a_pending_index_stops_with_one_line() -> None:
    ecr = FakeEcr(["a", "b"], {"b": ["AccessDenied"]})
    with pytest.raises(EmptyRegistryError, match=r"^env/app: cannot delete .*AccessDenied"):
        empty_repository(ecr, "env/app")


def test_images_that_never_go_stop_after_the_last_pass() -> None:
    ecr = FakeEcr(["a"], {"a": ["ImageReferencedByManifestList"] * 10})
    with pytest.raises(EmptyRegistryError, match="images left after"):
        empty_repository(ecr, "env/app")


def fake_terragrunt(tmp_path: Path, stdout: str, code: int = 0) -> str:
    script = tmp_path / "terragrunt"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{stdout}\nEOF\nexit {code}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_repositories_come_from_the_registry_units_output(tmp_path: Path) -> None:
    outputs = {
        "repository_names": {"value": {"nginx": "env/nginx", "app": "env/app"}},
        "repository_urls": {"value": {}},
    }
    terragrunt = fake_terragrunt(tmp_path, json.dumps(outputs))
    assert empty_registry.registry_repositories(terragrunt, tmp_path) == ["env/app", "env/nginx"]


def test_a_registry_unit_without_state_has_nothing_to_empty(tmp_path: Path) -> None:
    assert empty_registry.registry_repositories(fake_terragrunt(tmp_path, "{}"), tmp_path) == []


def test_a_registry_unit_applied_before_the_output_existed_is_named(tmp_path: Path) -> None:
    terragrunt = fake_terragrunt(tmp_path, json.dumps({"repository_urls": {"value": {}}}))
    with pytest.raises(EmptyRegistryError, match="no repository_names output"):
        empty_registry.registry_repositories(terragrunt, tmp_path)
