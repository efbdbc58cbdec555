"""Promote the images another environment ran into this one's ECR repositories, byte for byte.

`make promote-images ENV=prod IMAGE_TAG=<sha>`: for each container, the source environment's
image of that tag (registry unit output `promotion_sources`: dev's repositories) is found by
its digest, copied with `skopeo copy --preserve-digests` to this environment's repository under
the same tag, and the copy's digest is checked against the source's. Nothing is built, so prod
runs the very image dev ran, not a rebuild of its commit (whose bases may have moved). A tag
that is already here is left alone when its digest is the source's, and refused otherwise
(tags are immutable: it can only be another build).

ECR's API calls (boto3: DescribeRepositories, DescribeImages, GetAuthorizationToken) run with
the caller's credentials (the push role); the copy itself goes through the registries' own
protocol with the token they take. A tag the source does not hold stops here, in one line:
prod deploys only what dev ran.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

# The local registry records a push in the emulator's ECR by a notification, a moment later.
SETTLE_SECONDS = 20


class PromotionError(Exception):
    """The images were not promoted; the message says which and why."""


def _digest(ecr: Any, repository: str, tag: str, registry_id: str | None = None) -> str | None:
    ids = {"registryId": registry_id} if registry_id else {}
    try:
        found = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}], **ids)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ImageNotFoundException":
            return None
        raise
    details = found.get("imageDetails", [])
    return str(details[0]["imageDigest"]) if details else None


def _auth_file(directory: Path, tokens: dict[str, str]) -> Path:
    """A containers auth file for skopeo (never credentials on a command line)."""
    path = directory / "auth.json"
    path.touch(mode=0o600)
    path.write_text(json.dumps({"auths": {host: {"auth": t} for host, t in tokens.items()}}))
    return path


def _token(ecr: Any) -> tuple[str, str]:
    """(registry host, base64 AWS:password) of ECR's token for the caller."""
    data = ecr.get_authorization_token()["authorizationData"][0]
    host = data["proxyEndpoint"].split("://", 1)[-1].rstrip("/")
    return host, str(data["authorizationToken"])


def promote(
    tag: str, sources: dict[str, dict[str, str]], targets: dict[str, str], plain_http: bool = False
) -> list[str]:
    """Copies each container's image; returns one line per container. PromotionError when
    the source lacks the tag, the target holds another image under it, or the copy's digest is
    not the source's."""
    if not sources:
        raise PromotionError("promote-images: the registry unit has no promotion_sources")
    if set(sources) != set(targets):
        raise PromotionError(
            f"promote-images: the source names containers {sorted(sources)}, this environment's "
            f"repositories {sorted(targets)}"
        )
    target_ecr = boto3.client("ecr")
    # One client and one token per source region (the containers' sources share one registry).
    source_ecrs = {
        region: boto3.client("ecr", region_name=region)
        for region in sorted({source["region"] for source in sources.values()})
    }
    tokens = dict([_token(target_ecr), *(_token(ecr) for ecr in source_ecrs.values())])
    lines = []
    with tempfile.TemporaryDirectory() as scratch:
        auth = _auth_file(Path(scratch), tokens)
        for container in sorted(sources):
            source = sources[container]
            source_ecr = source_ecrs[source["region"]]
            repository = source["repository_name"]
            from_uri = source_ecr.describe_repositories(
                registryId=source["registry_id"], repositoryNames=[repository]
            )["repositories"][0]["repositoryUri"]
            digest = _digest(source_ecr, repository, tag, source["registry_id"])
            if digest is None:
                raise PromotionError(
                    f"promote-images: {from_uri} has no image {tag}: this environment runs only "
                    "images its source environment ran; deploy that commit there first"
                )
            target = targets[container]
            target_repository = target.split("/", 1)[1]
            present = _digest(target_ecr, target_repository, tag)
            if present == digest:
                lines.append(f"promote-images: {target}:{tag} is already {digest}")
                continue
            if present is not None:
                raise PromotionError(
                    f"promote-images: {target}:{tag} holds {present}, not the source's {digest}: "
                    "tags are immutable, so that tag was pushed from another build; find out how"
                )
            copy = [f"docker://{from_uri}@{digest}", f"docker://{target}:{tag}"]
            if plain_http:
                copy = ["--src-tls-verify=false", "--dest-tls-verify=false", *copy]
            copied = subprocess.run(
                ["skopeo", "copy", "--preserve-digests", "--authfile", str(auth), *copy],
                capture_output=True,
                text=True,
                check=False,
            )
            if copied.returncode != 0:
                raise PromotionError(
                    f"promote-images: copying {from_uri}@{digest} failed: "
                    f"{copied.stderr.strip()[-800:]}"
                )
            deadline = time.monotonic() + SETTLE_SECONDS
            while (now := _digest(target_ecr, target_repository, tag)) is None:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            if now != digest:
                raise PromotionError(
                    f"promote-images: {target}:{tag} is {now}, not the source's {digest}"
                )
            lines.append(f"promote-images: {from_uri}@{digest} -> {target}:{tag}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.promote_images", description=__doc__)
    parser.add_argument("tag")
    parser.add_argument("sources", help="registry unit output promotion_sources (JSON)")
    parser.add_argument("targets", help="registry unit output repository_urls (JSON)")
    parser.add_argument(
        "--plain-http", action="store_true", help="the registries serve HTTP (the emulator's)"
    )
    args = parser.parse_args(argv)
    try:
        for line in promote(
            args.tag, json.loads(args.sources), json.loads(args.targets), args.plain_http
        ):
            print(line)
    except (PromotionError, ClientError) as error:
        print(str(error), file=sys.stderr)
        return 1
    except json.JSONDecodeError as error:
        print(f"promote-images: the registry unit's outputs are not JSON: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.umask(0o077)
    sys.exit(main())
