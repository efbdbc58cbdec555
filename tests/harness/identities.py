"""Who calls the emulator: an operator (an IAM user with administrator rights) and the roles the
workflow jobs assume with GitHub's OIDC token, as make's ENV=local targets take them
(EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, EMULATOR_SESSION_TOKEN: mk/infra.mk).

The token is shaped like GitHub's (issuer, audience sts.amazonaws.com, `sub`
repo:<owner>/<name>:environment:<env>) but unsigned: moto does not verify tokens or trust
policies, so what each job's token could assume is checked from the applied trust policies
(tests/containers), and what each call may do by the IAM judge (tests/harness/iam.py).
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from botocore import UNSIGNED  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

from tests.harness.emulator import REGION, Emulator

OPERATOR = "operator"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def as_make_variables(access_key_id: str, secret: str, token: str = "") -> dict[str, str]:
    return {
        "EMULATOR_ACCESS_KEY_ID": access_key_id,
        "EMULATOR_SECRET_ACCESS_KEY": secret,
        "EMULATOR_SESSION_TOKEN": token,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


def operator(emulator: Emulator) -> dict[str, str]:
    """An IAM user with administrator rights (what the runbook's operator has) and its key,
    created with the emulator's own administrator key."""
    iam = emulator.client("iam")
    iam.create_user(UserName=OPERATOR)
    iam.put_user_policy(
        UserName=OPERATOR,
        PolicyName="AdministratorAccess",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName=OPERATOR)["AccessKey"]
    return as_make_variables(key["AccessKeyId"], key["SecretAccessKey"])


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def github_token(repository: str, environment: str, ref: str = "refs/heads/main") -> str:
    """An OIDC token with the claims GitHub gives a job of `repository` in `environment`."""
    now = int(time.time())
    claims = {
        "iss": GITHUB_ISSUER,
        "aud": "sts.amazonaws.com",
        "sub": f"repo:{repository}:environment:{environment}",
        "repository": repository,
        "environment": environment,
        "ref": ref,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    return f"{_segment({'alg': 'RS256', 'typ': 'JWT'})}.{_segment(claims)}.unsigned"


def assume_with_web_identity(
    emulator: Emulator, repository: str, role_arn: str, session: str, environment: str
) -> dict[str, str]:
    """What aws-actions/configure-aws-credentials does with the job's token: an unsigned
    AssumeRoleWithWebIdentity; its credentials as make's ENV=local variables."""
    sts = emulator.session.client(
        "sts", endpoint_url=emulator.endpoint, config=Config(signature_version=UNSIGNED)
    )
    answer = sts.assume_role_with_web_identity(
        RoleArn=role_arn,
        RoleSessionName=session,
        WebIdentityToken=github_token(repository, environment),
        DurationSeconds=3600,
    )
    credentials = answer["Credentials"]
    return as_make_variables(
        credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )
