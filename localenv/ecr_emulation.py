"""ECR in the emulator: moto is its API, the local registry (localenv/registry.py) its registry.

moto 5.2.5 answers the ECR API but serves no image: a repository's URI names a registry host
that does not exist here, and DescribeImages knows only images sent with PutImage. With this
module (registered by localenv/emulator_server.py) the two halves are one ECR, so the
production push (ops/push-images: log in with GetAuthorizationToken, skip a tag DescribeImages
finds, push to the repository URI) runs unchanged:

- a repository's URI is on the local registry, 127.0.0.1:$REGISTRY_PORT/<name> (the endpoint:
  Terraform's repository_url and so every task definition's image name it);
- GetAuthorizationToken's proxyEndpoint is that registry and the token is valid for 12 hours;
  the registry accepts exactly that credential (localenv/registry.py writes its htpasswd
  from it);
- the registry reports every manifest pushed (its notifications) to
  POST /moto-api/localenv/ecr/events, which records the image in moto's ECR: DescribeImages,
  ListImages and BatchDeleteImage see what was pushed.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from moto.ecr import models as ecr_models
from moto.ecr import responses as ecr_responses
from moto.moto_api._internal import urls as moto_api_urls

EVENTS_PATH = "/moto-api/localenv/ecr/events"
TOKEN_HOURS = 12
MANIFEST_TYPES = {
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
}


def registry_address() -> str:
    return f"127.0.0.1:{os.environ.get('REGISTRY_PORT', '5050')}"


def _repository_init(original: Callable[..., None]) -> Callable[..., None]:
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.uri = f"{registry_address()}/{self.name}"

    return init


def _authorization_token(original: Callable[..., Any]) -> Callable[..., Any]:
    def token(self: Any) -> Any:
        result = original(self)
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=TOKEN_HOURS)
        for entry in result.result["authorizationData"]:
            entry["proxyEndpoint"] = f"http://{registry_address()}"
            entry["expiresAt"] = expires
        return result

    return token


def _events_endpoint(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """The registry's notification envelope: {"events": [{"action", "target": {...}}]}."""
    envelope = json.loads(request.get_data(as_text=True) or "{}")
    account = os.environ.get("MOTO_ACCOUNT_ID", "123456789012")
    region = os.environ.get("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "us-east-1"))
    backend = ecr_models.ecr_backends[account][region]
    for event in envelope.get("events", []):
        target = event.get("target", {})
        media_type = target.get("mediaType", "")
        if event.get("action") != "push" or media_type not in MANIFEST_TYPES:
            continue
        if not target.get("tag") or target.get("repository") not in backend.repositories:
            continue
        manifest = json.dumps({"schemaVersion": 2, "mediaType": media_type})
        try:
            backend.put_image(
                target["repository"], manifest, target["tag"], media_type, target["digest"]
            )
        except Exception as error:  # an immutable tag pushed twice: ECR refuses it too
            print(f"ecr events: {target['repository']}:{target['tag']}: {error}", file=sys.stderr)
    return 200, {}, ""


def apply() -> list[str]:
    """Patch moto in this process; returns what was changed."""
    repository = ecr_models.Repository
    repository.__init__ = _repository_init(repository.__init__)  # type: ignore[method-assign]
    response = ecr_responses.ECRResponse
    response.get_authorization_token = _authorization_token(response.get_authorization_token)  # type: ignore[method-assign]
    moto_api_urls.url_paths["{0}" + EVENTS_PATH + "$"] = _events_endpoint
    return [
        f"ecr: repositories and the login are on the local registry {registry_address()}",
        "ecr: images pushed to the local registry are ECR's images (registry notifications)",
    ]
