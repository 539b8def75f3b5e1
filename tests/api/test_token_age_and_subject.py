"""Tokens carry ``iat`` and have a bounded age (``ADR_JWT_MAX_AGE_S``), and a ``sub`` the
service could not record is a bad credential (SPEC 4.1)."""

from __future__ import annotations

import time

from tests.support.databases import TEST_SECRETS
from tests.support.problems import assert_problem
from tests.support.tokens import bearer, claims, sign

ME = "/api/v1/api-keys"  # admin only


def _token(settings, **overrides) -> str:
    return sign(claims(settings, **overrides), TEST_SECRETS["jwt_secret"], "HS256")


async def test_a_token_without_iat_is_refused(client, settings):
    response = await client.get(ME, headers=bearer(_token(settings, iat=None)))
    body = assert_problem(response, 401, "invalid_token")
    assert "iat" in body["detail"]


async def test_a_token_older_than_the_maximum_age_is_refused_though_not_expired(client, settings):
    issued = int(time.time()) - settings.jwt_max_age_s - 3600
    token = _token(settings, iat=issued, exp=int(time.time()) + 3600)
    body = assert_problem(await client.get(ME, headers=bearer(token)), 401, "token_expired")
    assert str(settings.jwt_max_age_s) in body["detail"]


async def test_a_token_within_the_maximum_age_is_accepted(client, settings):
    issued = int(time.time()) - settings.jwt_max_age_s + 3600
    token = _token(settings, iat=issued, exp=int(time.time()) + 3600)
    assert (await client.get(ME, headers=bearer(token))).status_code == 200


async def test_a_subject_longer_than_the_service_records_is_401_not_a_failed_write(
    client, settings
):
    # A write records the actor's sub: a 201-character sub must be refused at the door.
    token = _token(settings, sub="x" * 201)
    response = await client.post(
        "/api/v1/api-keys", json={"name": "k", "role": "admin"}, headers=bearer(token)
    )
    body = assert_problem(response, 401, "invalid_token")
    assert "sub" in body["detail"]
    longest = _token(settings, sub="y" * 200)
    response = await client.post(
        "/api/v1/api-keys", json={"name": "k", "role": "admin"}, headers=bearer(longest)
    )
    assert response.status_code == 201, response.text
