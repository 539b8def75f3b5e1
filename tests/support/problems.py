"""Assertions on RFC 9457 problem responses, shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    """The response is a problem with this status (and code): every required member is there,
    ``type`` names the code, and no stack trace leaked."""
    assert response.status_code == status, response.text
    media_type = response.headers["content-type"].split(";")[0].strip()
    assert media_type == PROBLEM_MEDIA_TYPE, response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_FIELDS, body
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["type"].endswith("/" + body["code"])
    if code is not None:
        assert body["code"] == code, body
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body
