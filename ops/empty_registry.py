"""Empties an environment's ECR repositories, so that `make destroy` can delete them.

    python -m ops.empty_registry --live-dir live/dev [--terragrunt terragrunt]
    python -m ops.empty_registry --repository sumapi-dev/app --repository sumapi-dev/nginx

The AWS provider 3.39 has no `force_delete` on aws_ecr_repository (it arrived in 4.22), and
ECR refuses to delete a repository that still holds images: without this step a destroy of
an environment that ever received an image stops at the registry unit. The repositories are
the registry unit's `repository_names` output (read with terragrunt), or --repository.

Every image is deleted, tags and digests alike: this is the step before destroying the
repositories themselves. A repository that is already gone counts as empty (a destroy run
twice). Endpoint and credentials: boto3's usual environment (AWS_ENDPOINT_URL for the
emulator).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from ops import units

BATCH = 100  # BatchDeleteImage takes at most 100 image ids
# An image index (multi-arch) pins its child manifests: ECR refuses to delete a child while
# the index exists. Each pass deletes what it can; the next one retries the rest.
MAX_PASSES = 5


class EmptyRegistryError(Exception):
    """An error the operator can act on; printed as one line."""


def registry_repositories(terragrunt: str, unit_dir: Path) -> list[str]:
    """The registry unit's repository_names ([] when the unit was never applied or is gone)."""
    if not unit_dir.is_dir():
        raise EmptyRegistryError(f"no unit {unit_dir}")
    try:
        outputs = units.outputs(terragrunt, unit_dir)
    except units.UnitError as error:
        raise EmptyRegistryError(str(error)) from error
    if outputs and "repository_names" not in outputs:
        raise EmptyRegistryError(
            f"{unit_dir} has no repository_names output: apply the registry unit once "
            "(make deploy MODULE=registry), then destroy"
        )
    names = outputs.get("repository_names") or {}
    return sorted(str(name) for name in names.values())


def empty_repository(ecr: Any, repository: str) -> int | None:
    """Deletes every image of repository; the number deleted, None when it does not exist."""
    deleted = 0
    for attempt in range(MAX_PASSES + 1):
        try:
            image_ids = [
                image_id
                for page in ecr.get_paginator("list_images").paginate(repositoryName=repository)
                for image_id in page.get("imageIds", [])
            ]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "RepositoryNotFoundException":
                return None
            raise
        if not image_ids:
            return deleted
        if attempt == MAX_PASSES:
            raise EmptyRegistryError(f"{repository}: images left after {MAX_PASSES} passes")
        failures = []
        for start in range(0, len(image_ids), BATCH):
            answer = ecr.batch_delete_image(
                repositoryName=repository, imageIds=image_ids[start : start + BATCH]
            )
            deleted += len(answer.get("imageIds", []))
            failures += answer.get("failures", [])
        # Tags and digests of one image come back as separate ids: an id whose image went
        # with an earlier id of the same batch fails as ImageNotFound, which is the goal.
        blocking = [f for f in failures if f.get("failureCode") != "ImageNotFound"]
        if blocking and all(
            f.get("failureCode") != "ImageReferencedByManifestList" for f in blocking
        ):
            first = blocking[0]
            raise EmptyRegistryError(
                f"{repository}: cannot delete {first.get('imageId')}: "
                f"{first.get('failureCode')} {first.get('failureReason', '')}".strip()
            )
    raise AssertionError("unreachable: the last pass returns or raises")


def empty_all(ecr: Any, repositories: Sequence[str], out: Callable[[str], None]) -> None:
    if not repositories:
        out("empty-registry: no repositories (registry unit not applied): nothing to empty")
    for repository in repositories:
        count = empty_repository(ecr, repository)
        if count is None:
            out(f"empty-registry: {repository}: already gone")
        else:
            out(f"empty-registry: {repository}: {count} image(s) deleted, empty")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.empty_registry",
        description="Delete every image of an environment's ECR repositories (before destroy).",
    )
    parser.add_argument(
        "--repository", action="append", default=[], help="repository name (repeatable)"
    )
    parser.add_argument("--live-dir", help="live/<env>: the registry unit's repository_names")
    parser.add_argument("--terragrunt", default="terragrunt", help="terragrunt binary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    try:
        repositories = list(args.repository)
        if not repositories:
            if not args.live_dir:
                raise EmptyRegistryError("pass --live-dir live/<env> or --repository NAME")
            repositories = registry_repositories(args.terragrunt, Path(args.live_dir) / "registry")
        empty_all(boto3.session.Session().client("ecr"), repositories, out)
        return 0
    except EmptyRegistryError as error:
        print(f"empty-registry: {error}", file=sys.stderr)
        return 1
    except ClientError as error:
        details = error.response.get("Error", {})
        print(
            f"empty-registry: AWS {details.get('Code')}: {details.get('Message')}", file=sys.stderr
        )
        return 1
    except BotoCoreError as error:
        print(f"empty-registry: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
