"""Every error is an RFC 9457 problem (SPEC 3): one shape, a stable code, never a traceback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from app.states.codes import Role
from tests.conftest import CLIENT_ADDRESS
from tests.support.problems import assert_problem
from tests.support.tokens import bearer, claims, hs256_with_raw_secret, sign, unsigned

MIB = 1024 * 1024
API_KEYS = "/api/v1/api-keys"


# --- 400 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b'{"name": "x", "role": ', b"{'name': 'single quotes'}", b'{"name": "x"} trailing', b"\xff"],
    ids=["truncated", "single-quotes", "trailing-garbage", "not-utf8"],
)
async def test_broken_json_is_400_malformed_json(client, auth, body):
    response = await client.post(
        API_KEYS,
        content=body,
        headers={**auth(Role.ADMIN), "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed_json")


# --- 401 ----------------------------------------------------------------------------------


async def test_no_credentials_is_401_with_www_authenticate(client):
    response = await client.get(API_KEYS)
    assert_problem(response, 401, "authentication_required")
    assert "Bearer" in response.headers["WWW-Authenticate"]


def _bad_tokens(settings) -> dict[str, tuple[str, str]]:
    secret = settings.jwt_secret.get_secret_value()
    now = int(time.time())
    supervisor = sign(claims(settings, role="supervisor"), secret, "HS256")
    admin = hs256_with_raw_secret(claims(settings, role="admin"), b"a guess")
    return {
        "garbage": ("not-a-jwt", "invalid_token"),
        "expired": (
            sign(claims(settings, exp=now - 3600, iat=now - 7200), secret, "HS256"),
            "token_expired",
        ),
        "wrong-audience": (
            sign(claims(settings, aud="someone-else"), secret, "HS256"),
            "invalid_token",
        ),
        "wrong-issuer": (sign(claims(settings, iss="evil"), secret, "HS256"), "invalid_token"),
        "alg-none": (unsigned(claims(settings)), "invalid_token"),
        "other-secret": (
            sign(claims(settings), "another-secret-0123456789abcdef0123456789", "HS256"),
            "invalid_token",
        ),
        "tampered-payload": (_with_payload_of(supervisor, admin), "invalid_token"),
        "missing-exp": (sign(claims(settings, exp=None), secret, "HS256"), "invalid_token"),
        "missing-sub": (sign(claims(settings, sub=None), secret, "HS256"), "invalid_token"),
        "unknown-role": (sign(claims(settings, role="root"), secret, "HS256"), "invalid_token"),
    }


def _with_payload_of(signed: str, other: str) -> str:
    """A validly signed token whose payload was swapped for another (a role upgrade)."""
    header, _payload, signature = signed.split(".")
    return ".".join([header, other.split(".")[1], signature])


BAD_TOKEN_CASES = [
    "garbage",
    "expired",
    "wrong-audience",
    "wrong-issuer",
    "alg-none",
    "other-secret",
    "tampered-payload",
    "missing-exp",
    "missing-sub",
    "unknown-role",
]


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
async def test_bad_tokens_are_401_with_www_authenticate(client, settings, case):
    token, code = _bad_tokens(settings)[case]
    response = await client.get("/api/v1/policy", headers=bearer(token))
    assert_problem(response, 401, code)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_good_token_passes_where_the_bad_ones_fail(client, settings):
    # The control for the cases above: the same claims, properly signed, are accepted.
    token = sign(claims(settings), settings.jwt_secret.get_secret_value(), "HS256")
    response = await client.get("/api/v1/policy", headers=bearer(token))
    assert response.status_code == 200, response.text


# --- 403, 404, 405 --------------------------------------------------------------------------


async def test_supervisor_creating_an_api_key_is_403_role_not_allowed(client, auth):
    response = await client.post(
        API_KEYS, json={"name": "x", "role": "supervisor"}, headers=auth(Role.SUPERVISOR)
    )
    body = assert_problem(response, 403, "role_not_allowed")
    assert "admin" in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/nowhere", "/api/v2/policy"])
async def test_unknown_routes_are_404_problems(client, auth, path):
    response = await client.get(path, headers=auth(Role.ADMIN))
    assert_problem(response, 404, "not_found")


async def test_unknown_docs_asset_is_a_404_problem(client):
    response = await client.get("/docs-assets/no-such-file.js")
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/policy", {"GET"}),
        ("DELETE", "/api/v1/audit", {"GET"}),
        ("PATCH", API_KEYS, {"GET", "POST"}),
        ("POST", "/healthz", {"GET"}),
    ],
)
async def test_wrong_method_is_405_with_allow(client, auth, method, path, allowed):
    response = await client.request(method, path, headers=auth(Role.ADMIN))
    assert_problem(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


# --- 413, 415 -----------------------------------------------------------------------------


async def test_body_over_one_mib_with_content_length_is_413(client, auth):
    body = b'{"name": "' + b"x" * MIB + b'", "role": "admin"}'
    response = await client.post(
        API_KEYS, content=body, headers={**auth(Role.ADMIN), "Content-Type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


async def test_chunked_body_over_one_mib_without_content_length_is_413(client, auth):
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"name": "'
        for _ in range(20):
            sent += 64 * 1024
            yield b"x" * (64 * 1024)
        yield b'", "role": "admin"}'

    request = client.build_request(
        "POST",
        API_KEYS,
        content=chunks(),
        headers={**auth(Role.ADMIN), "Content-Type": "application/json"},
    )
    assert "content-length" not in request.headers
    assert request.headers.get("transfer-encoding") == "chunked"
    response = await client.send(request)
    assert_problem(response, 413, "payload_too_large")


async def test_body_just_under_the_limit_is_not_refused_for_size(client, auth):
    # The limit is the limit: a body of 1 MiB minus a little reaches validation (422 for
    # the over-long name), not the size guard.
    padding = MIB - 100
    body = b'{"name": "' + b"x" * padding + b'", "role": "admin"}'
    assert len(body) <= MIB
    response = await client.post(
        API_KEYS, content=body, headers={**auth(Role.ADMIN), "Content-Type": "application/json"}
    )
    body_json = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body_json["errors"]] == ["name"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
async def test_non_json_body_is_415(client, auth, content_type):
    response = await client.post(
        API_KEYS,
        content=b'{"name": "x", "role": "admin"}',
        headers={**auth(Role.ADMIN), "Content-Type": content_type},
    )
    assert_problem(response, 415, "unsupported_media_type")


async def test_json_with_charset_and_problem_suffix_types_are_accepted(client, auth):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = await client.post(
            API_KEYS,
            content=b'{"name": "charset", "role": "supervisor"}',
            headers={**auth(Role.ADMIN), "Content-Type": content_type},
        )
        assert response.status_code == 201, (content_type, response.text)


# --- 422 ----------------------------------------------------------------------------------


async def test_validation_errors_name_each_field(client, auth):
    response = await client.post(
        API_KEYS, json={"name": "", "role": "emperor"}, headers=auth(Role.ADMIN)
    )
    body = assert_problem(response, 422, "validation_failed")
    errors = {e["field"]: e for e in body["errors"]}
    assert set(errors) == {"name", "role"}
    for error in body["errors"]:
        assert set(error) == {"field", "message", "code"}
        assert error["message"]
    assert errors["role"]["code"] == "enum"
    assert "emperor" not in response.text  # the submitted value is never echoed


async def test_missing_field_is_422_naming_it(client, auth):
    response = await client.post(API_KEYS, json={"name": "only a name"}, headers=auth(Role.ADMIN))
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"] == [
        {"field": "role", "message": body["errors"][0]["message"], "code": "missing"}
    ]


async def test_unknown_fields_are_rejected(client, auth):
    response = await client.post(
        API_KEYS,
        json={"name": "x", "role": "supervisor", "key_hash": "mine"},
        headers=auth(Role.ADMIN),
    )
    body = assert_problem(response, 422, "validation_failed")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("key_hash", "extra_forbidden")]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("active", "true", "bool_type"),
        ("active", 1, "bool_type"),
        ("pool_max_per_agency", "3", "int_type"),
        ("pool_max_per_agency", True, "int_type"),
        # A date is a string in the document; lax parsing would read 0 as 1970-01-01.
        ("effective_from", 0, "date_type"),
        ("effective_from", 20300101, "date_type"),
    ],
)
async def test_json_scalars_are_not_read_from_other_types(client, auth, field, value, code):
    # The document says boolean, integer or a date's string; lax parsing would quietly read
    # "true", 1 or a number of seconds.
    path = "/api/v1/agencies/00000000-0000-0000-0000-000000000000"
    if field == "active":
        response = await client.patch(path, json={field: value}, headers=auth(Role.ADMIN))
    else:
        body = {"effective_from": "2030-01-01", field: value}
        response = await client.post("/api/v1/policy/versions", json=body, headers=auth(Role.ADMIN))
    body = assert_problem(response, 422, "validation_failed")
    assert (field, code) in [(e["field"], e["code"]) for e in body["errors"]]


async def test_text_too_short_once_trimmed_names_that_rule(client, auth):
    # Three characters as sent (the schema's minimum is 2), one once the spaces are trimmed.
    path = "/api/v1/agencies/00000000-0000-0000-0000-000000000000"
    response = await client.patch(path, json={"name": " 局 "}, headers=auth(Role.ADMIN))
    body = assert_problem(response, 422, "validation_failed")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("name", "too_short_once_trimmed")]


async def test_query_errors_are_named_after_the_parameter(client, auth):
    response = await client.get(f"{API_KEYS}?limit=0", headers=auth(Role.ADMIN))
    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["query.limit"]


async def test_path_errors_are_named_after_the_parameter(client, auth):
    response = await client.delete(f"{API_KEYS}/not-a-uuid", headers=auth(Role.ADMIN))
    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["path.key_id"]


async def test_a_json_array_instead_of_an_object_is_422(client, auth):
    response = await client.post(API_KEYS, json=["name", "role"], headers=auth(Role.ADMIN))
    assert_problem(response, 422, "validation_failed")


# --- 500 ----------------------------------------------------------------------------------


@pytest.fixture
async def crashing_client(settings, db) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database=db)

    async def explode_unexpectedly() -> None:
        raise RuntimeError("boom: internal detail /srv/secret/path.py line 42")

    app.add_api_route("/api/v1/test-explode", explode_unexpectedly, methods=["GET"])
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_unexpected_exception_is_500_problem_without_traceback(crashing_client):
    response = await crashing_client.get(
        "/api/v1/test-explode", headers={"X-Request-ID": "crash-123"}
    )
    body = assert_problem(response, 500, "internal_error")
    assert body["request_id"] == "crash-123"
    assert response.headers["X-Request-ID"] == "crash-123"
    assert "boom" not in response.text
    assert "RuntimeError" not in response.text
    assert "secret" not in response.text


async def test_the_service_keeps_answering_after_a_500(crashing_client):
    assert (await crashing_client.get("/api/v1/test-explode")).status_code == 500
    assert (await crashing_client.get("/healthz")).status_code == 200
