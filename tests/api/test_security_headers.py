"""Security headers on every response (no MIME sniffing, no framing, no referrer), without
breaking the offline Swagger UI and ReDoc; Swagger UI does not keep tokens."""

from __future__ import annotations

import pytest

from app.states.codes import Role

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/policy", 200),
        ("GET", "/api/v1/policy", 401),
        ("GET", "/api/v1/nowhere", 404),
        ("POST", "/api/v1/api-keys", 422),
        ("GET", "/healthz", 200),
        ("GET", "/metrics", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/docs", 200),
        ("GET", "/redoc", 200),
        ("GET", "/docs-assets/swagger-ui-bundle.js", 200),
    ],
)
async def test_every_response_carries_the_security_headers(client, auth, method, path, status):
    headers = auth(Role.ADMIN) if status != 401 else {}
    response = await client.request(
        method, path, headers=headers, json={} if method == "POST" else None
    )
    assert response.status_code == status, response.text
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, name


async def test_the_policy_allows_the_docs_pages_their_own_scripts_and_styles(client):
    # Only frame-ancestors is restricted: the pages' own inline start-up script and the
    # bundles they load from /docs-assets keep working.
    for page in ("/docs", "/redoc"):
        response = await client.get(page)
        policy = response.headers["content-security-policy"]
        assert "script-src" not in policy
        assert "default-src" not in policy
        assert "<script" in response.text


async def test_swagger_ui_does_not_persist_the_token(client):
    page = (await client.get("/docs")).text
    assert '"persistAuthorization": false' in page
    assert '"persistAuthorization": true' not in page
