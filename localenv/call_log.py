"""Records every request the emulator serves, with the identity that signed it (off unless asked).

    SUMAPI_CALL_LOG=/path/calls.jsonl python -m localenv.emulator start

moto answers every signed request as the account's administrator unless its own, partial IAM
check is switched on (docs/infrastructure.md, "IAM on the emulator"). The tests therefore judge
the calls themselves, after the fact, with a real policy evaluator: this log is what they judge
(tests/harness/iam.py). One JSON object per line, in the order the requests arrived:

- `method`, `path` (as sent: percent-encoded, so an encoded slash inside one URI label stays
  `%2F`), `query` (the raw query string), `headers` (the ones that say which operation
  it is: X-Amz-Target, Content-Type, and every x-amz-* but the signature's own);
- `body`: the request body as text, or `body_sha256` and `body_bytes` when it is binary or over
  64 KiB (state objects, image layers: no operation is told apart by them). Secret values
  (SecretString, SecretBinary, a web identity token) are replaced by their length: the log must
  not become a copy of the API keys;
- `signed`: the access key id, region and signing name of the SigV4 credential scope, or
  absent for an unsigned request (AssumeRoleWithWebIdentity);
- `principal`: who that key is, looked up in the emulator's own STS and IAM at the time of the
  call: an assumed role (its ARN, session name and session policy), an IAM user, or `unknown`
  (moto's fixed `testing` key, which the emulator's administrator uses);
- `status`: the HTTP status the emulator answered.

Installed by localenv/emulator_server.py when SUMAPI_CALL_LOG names a file; nothing else in the
emulator changes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

ENV_VARIABLE = "SUMAPI_CALL_LOG"
MAX_TEXT_BODY = 64 * 1024
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")
# Request members that carry a secret: kept out of the log, their length kept.
_SECRET_MEMBERS = ("SecretString", "SecretBinary", "WebIdentityToken", "SAMLAssertion")
_MEMBER = "|".join(_SECRET_MEMBERS)
_SECRET_JSON = re.compile(rf'("(?:{_MEMBER})"\s*:\s*")((?:[^"\\]|\\.)*)(")')

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def redact(text: str) -> str:
    """The body with every secret member's value replaced by its length (JSON and query forms)."""
    text = _SECRET_JSON.sub(lambda m: f"{m.group(1)}<{len(m.group(2))} chars>{m.group(3)}", text)
    if "=" in text and "{" not in text[:1]:
        pairs = parse_qsl(text, keep_blank_values=True)
        if any(name in _SECRET_MEMBERS for name, _ in pairs):
            return "&".join(
                f"{name}=<{len(value)} chars>" if name in _SECRET_MEMBERS else f"{name}={value}"
                for name, value in pairs
            )
    return text


def signed_by(environ: dict[str, Any]) -> dict[str, str] | None:
    """Access key id, region and signing name of the request's SigV4 credential scope."""
    source = environ.get("HTTP_AUTHORIZATION") or environ.get("QUERY_STRING", "").replace(
        "%2F", "/"
    )
    match = _CREDENTIAL.search(source.replace("X-Amz-Credential=", "Credential="))
    if match is None:
        return None
    return {"access_key_id": match.group(1), "region": match.group(2), "service": match.group(3)}


def principal(access_key_id: str) -> dict[str, Any]:
    """Who holds this key in the emulator now: an assumed role's session, or an IAM user."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for sts_account in list(sts_backends.values()):
        for backend in list(sts_account.values()):
            role = backend.get_assumed_role_from_access_key(access_key_id)
            if role is not None:
                return {
                    "type": "AssumedRole",
                    "arn": role.role_arn,
                    "session": role.session_name,
                    "session_arn": role.arn,
                    "session_policy": role.policy,
                    "account": role.account_id,
                }
    for account, iam_account in list(iam_backends.items()):
        for iam in list(iam_account.values()):
            for user in list(iam.users.values()):
                if any(key.access_key_id == access_key_id for key in user.access_keys):
                    return {"type": "User", "arn": user.arn, "account": account}
    return {"type": "unknown", "access_key_id": access_key_id}


def _path_as_sent(environ: dict[str, Any]) -> str:
    """The request target's path before decoding: PATH_INFO turns a label's %2F into a slash,
    and a REST operation is told by its path's segments. The development server keeps the raw
    target (RAW_URI); another server falls back to the decoded path."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    return str(raw).partition("?")[0] if raw else str(environ.get("PATH_INFO", ""))


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for key, value in environ.items():
        if not key.startswith("HTTP_") and key != "CONTENT_TYPE":
            continue
        name = key.removeprefix("HTTP_").replace("_", "-").lower()
        if name in ("x-amz-target", "content-type") or (
            name.startswith("x-amz-")
            and name not in ("x-amz-security-token", "x-amz-content-sha256", "x-amz-date")
        ):
            kept[name] = str(value)
    return kept


def _body(raw: bytes) -> dict[str, Any]:
    if len(raw) <= MAX_TEXT_BODY:
        try:
            return {"body": redact(raw.decode("utf-8"))}
        except UnicodeDecodeError:
            pass
    return {"body_sha256": hashlib.sha256(raw).hexdigest(), "body_bytes": len(raw)}


class CallLog:
    """WSGI middleware in front of moto's dispatcher: one line per request, after its answer."""

    def __init__(self, app: WsgiApp, path: Path) -> None:
        self.app = app
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        stream = environ["wsgi.input"]
        if environ.get("wsgi.input_terminated"):
            raw = stream.read()
        else:
            raw = stream.read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(raw)
        record: dict[str, Any] = {
            "time": time.time(),
            "method": environ.get("REQUEST_METHOD", ""),
            "host": environ.get("HTTP_HOST", ""),
            "path": _path_as_sent(environ),
            "query": environ.get("QUERY_STRING", ""),
            "headers": _headers(environ),
            **_body(raw),
        }
        signed = signed_by(environ)
        if signed is not None:
            record["signed"] = signed
            if not record["path"].startswith("/moto-api"):
                record["principal"] = principal(signed["access_key_id"])

        def recording_start_response(status: str, headers: Any, *args: Any) -> Any:
            record["status"] = int(status.split()[0])
            return start_response(status, headers, *args)

        try:
            return self.app(environ, recording_start_response)
        finally:
            if not record["path"].startswith("/moto-api"):
                line = json.dumps(record, sort_keys=True)
                with self._lock, self.path.open("a", encoding="utf-8") as log:
                    log.write(line + "\n")


def install(path: Path) -> str:
    """Wraps the application moto's server builds; returns what to print at start."""
    from moto import server

    dispatcher = server.DomainDispatcherApplication  # type: ignore[attr-defined]

    def recorded(*args: Any, **kwargs: Any) -> CallLog:
        return CallLog(dispatcher(*args, **kwargs), path)

    server.DomainDispatcherApplication = recorded  # type: ignore[attr-defined,assignment]
    return f"call log: every request and its principal to {path}"
