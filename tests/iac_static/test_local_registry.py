"""The one mapping from an ECR image to its place in the local registry standing in for ECR."""

from __future__ import annotations

import pytest

from localenv.registry import local_image_ref

REGISTRY = "127.0.0.1:5050"


@pytest.mark.parametrize(
    ("ecr", "local"),
    [
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/sumapi-local/app:feedbee",
            "127.0.0.1:5050/sumapi-local/app:feedbee",
        ),
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sumapi-dev/nginx:1.0.0",
            "127.0.0.1:5050/sumapi-dev/nginx:1.0.0",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64,
            "127.0.0.1:5050/app@sha256:" + "a" * 64,
        ),
    ],
)
def test_an_ecr_image_maps_to_the_same_repository_and_reference(ecr: str, local: str) -> None:
    assert local_image_ref(ecr, REGISTRY) == local


@pytest.mark.parametrize(
    "image",
    [
        "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",  # not a private ECR
        "docker.io/library/nginx:1.27",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",  # no tag: ECS would pull latest
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:bad tag",
        "12345.dkr.ecr.us-east-1.amazonaws.com/app:1",  # not an account id
    ],
)
def test_anything_else_is_refused_with_a_reason(image: str) -> None:
    with pytest.raises(ValueError, match="is not an ECR image"):
        local_image_ref(image, REGISTRY)
