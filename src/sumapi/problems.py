"""The one error shape of the API: RFC 9457 `application/problem+json`.

The gateway renders the same shape for the errors it produces itself, so a client handles a
401 from nginx and a 422 from the service with the same code.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiohttp import web

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ProblemError(Exception):
    """An error the caller can fix; sumapi.observed renders it as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


# RFC 9110's names where Python's phrase still has RFC 7231's (413 became "Content Too Large"
# in Python 3.13): the title must not change with the interpreter, and the gateway's
# problems (nginx/templates/problems.conf) use the same titles.
RFC_9110_TITLES = {413: "Content Too Large", 414: "URI Too Long"}


def problem_title(status: int) -> str:
    return RFC_9110_TITLES.get(status, HTTPStatus(status).phrase)


def problem_response(
    status: int,
    detail: str,
    request_id: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": problem_title(status),
        "status": status,
        "detail": detail,
        "request_id": request_id,
    }
    if errors:
        body["errors"] = errors
    response = web.json_response(body, status=status, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
