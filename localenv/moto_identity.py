"""Fixes for moto 5.2.5 defects in identity plumbing: who is calling, not what a call does.

The emulator can check requests against IAM (moto's INITIAL_NO_AUTH_ACTION_COUNT, or
`POST /moto-api/reset-auth` with a count once set-up is done). The tests use that only where
moto's check is sound (docs/infrastructure.md, "IAM on the emulator"); the judge of every call
is a real policy evaluator (tests/harness/iam.py). These fixes keep the plumbing working while
moto checks; like localenv/moto_fixes.py, each makes the emulator behave like AWS for one call.
"""

from __future__ import annotations

from typing import Any

from moto.core.authorization import ActionAuthenticatorMixin

# Unsigned by design: the caller has no credentials yet; AWS authorises them by the token or
# assertion and the role's trust policy.
UNSIGNED_OPERATIONS = ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")

_original_authenticate = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authenticate_and_authorize_action(
    self: Any, iam_request_cls: type, resource: str = "*"
) -> None:
    # Why: with the check on, moto reads the Authorization header of every request, and an
    # unsigned AssumeRoleWithWebIdentity (what GitHub's OIDC credentials action sends) has none:
    # the request dies with a KeyError (HTTP 500). AWS answers it; so does moto without the
    # check. Unsigned STS federation calls are let through to moto's STS, as AWS does.
    if "Authorization" not in self.headers and self._get_action() in UNSIGNED_OPERATIONS:
        return
    _original_authenticate(self, iam_request_cls, resource)


def apply() -> list[str]:
    """Patch moto in this process; returns the names of the fixes applied."""
    ActionAuthenticatorMixin._authenticate_and_authorize_action = (  # type: ignore[method-assign]
        _authenticate_and_authorize_action
    )
    return ["sts.AssumeRoleWithWebIdentity unsigned answers while moto checks IAM"]
