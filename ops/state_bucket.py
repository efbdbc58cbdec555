"""Does the state bucket of live/<env> exist? One line naming the fix when it does not.

    python -m ops.state_bucket check --live-dir live/dev

`make plan|deploy` run this first: they never create the bucket (no --backend-bootstrap), so
a missing bucket would otherwise surface as tofu's multi-line init error. The check lists the
environment's own key prefix (live/<env>/), the only listing the CI roles are allowed; it reads
no object. Endpoint and credentials: boto3's usual environment (AWS_ENDPOINT_URL for the
emulator).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

SETTING = re.compile(r'^\s*(state_bucket|aws_region)\s*=\s*"([^"]+)"', re.MULTILINE)


class BucketError(Exception):
    """One line for the operator."""


def settings(live_dir: Path) -> tuple[str, str]:
    """state_bucket and aws_region of live/<env>/env.hcl."""
    env_file = live_dir / "env.hcl"
    found = dict(SETTING.findall(env_file.read_text()))
    if "state_bucket" not in found or "aws_region" not in found:
        raise BucketError(f'{env_file} must set state_bucket = "..." and aws_region = "..."')
    return found["state_bucket"], found["aws_region"]


def check(s3: Any, bucket: str, prefix: str, env: str) -> str:
    try:
        s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            raise BucketError(
                f"the state bucket {bucket} does not exist: an operator creates it once with "
                f"`make backend-bootstrap ENV={env}` (docs/runbook.md#first-deploy)"
            ) from error
        if code in ("AccessDenied", "AllAccessDisabled"):
            raise BucketError(
                f"cannot list {prefix} in the state bucket {bucket} ({code}): "
                "check the credentials (the deploy role's StateBucketList statement)"
            ) from error
        raise BucketError(f"state bucket {bucket}: AWS {code}") from error
    return f"state bucket {bucket}: present"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.state_bucket", description=__doc__)
    parser.add_argument("command", choices=["check"])
    parser.add_argument("--live-dir", required=True, type=Path, help="live/<env>")
    args = parser.parse_args(argv)
    live_dir: Path = args.live_dir
    try:
        bucket, region = settings(live_dir)
        s3 = boto3.session.Session(region_name=region).client("s3")
        check(s3, bucket, f"{live_dir.as_posix().rstrip('/')}/", live_dir.name)
    except BucketError as error:
        print(f"state-bucket: {error}", file=sys.stderr)
        return 1
    except BotoCoreError as error:
        print(f"state-bucket: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
