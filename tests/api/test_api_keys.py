"""API keys for machine clients (SPEC 4.1): shown once, stored hashed, listed without the
secret, revocable, carrying a role (and an agency)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.clock import SHANGHAI, today_shanghai
from app.db.models import Agency, ApiKey
from app.states.codes import Role
from tests.support.problems import assert_problem

KEYS = "/api/v1/api-keys"
NON_ADMINS = [Role.SUPERVISOR, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER, Role.LAWYER]


async def _create(client: httpx.AsyncClient, auth: Any, **body: Any) -> dict[str, Any]:
    payload = {"name": "dispatch system", "role": "center_coordinator", **body}
    response = await client.post(KEYS, json=payload, headers=auth(Role.ADMIN))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_create_returns_the_key_once_with_location(client, auth):
    response = await client.post(
        KEYS,
        json={"name": "和解中心委派系统", "role": "center_coordinator"},
        headers=auth(Role.ADMIN),
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"{KEYS}/{created['id']}"
    assert created["key"].startswith("adr_")
    assert len(created["key"]) >= 40
    assert created["prefix"] == created["key"][:12]
    assert created["role"] == "center_coordinator"
    assert created["name"] == "和解中心委派系统"
    assert created["revoked_at"] is None
    assert created["created_by"] == "test-admin"
    assert "key_hash" not in created


async def test_the_key_is_stored_only_as_a_hash(client, auth, session):
    created = await _create(client, auth)
    row = (
        await session.execute(select(ApiKey).where(ApiKey.id == uuid.UUID(created["id"])))
    ).scalar_one()
    assert row.key_hash == hashlib.sha256(created["key"].encode()).hexdigest()
    assert created["key"] not in {row.name, row.prefix, row.key_hash}


async def test_list_never_shows_the_key_or_its_hash(client, auth):
    created = await _create(client, auth)
    response = await client.get(KEYS, headers=auth(Role.ADMIN))
    assert response.status_code == 200
    items = response.json()["items"]
    listed = next(i for i in items if i["id"] == created["id"])
    assert listed["prefix"] == created["prefix"]
    for item in items:
        assert "key" not in item
        assert "key_hash" not in item
    assert created["key"] not in response.text
    assert hashlib.sha256(created["key"].encode()).hexdigest() not in response.text


async def test_list_pages_through_every_key_once(client, auth):
    created = {(await _create(client, auth, name=f"client {n}"))["id"] for n in range(5)}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        url = f"{KEYS}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=auth(Role.ADMIN))).json()
        assert len(page["items"]) <= 2
        seen.extend(i["id"] for i in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert created <= set(seen)


async def test_list_refuses_a_forged_cursor(client, auth):
    response = await client.get(f"{KEYS}?cursor=bm90LWpzb24", headers=auth(Role.ADMIN))
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "query.cursor"


async def test_the_key_authenticates_with_its_role(client, auth):
    supervisor = await _create(client, auth, role="supervisor", name="reporting")
    # A supervisor may read the audit trail but may not manage keys.
    audit = await client.get("/api/v1/audit", headers={"X-API-Key": supervisor["key"]})
    assert audit.status_code == 200, audit.text
    keys = await client.get(KEYS, headers={"X-API-Key": supervisor["key"]})
    assert_problem(keys, 403, "role_not_allowed")


async def test_an_admin_key_can_manage_keys(client, auth):
    admin = await _create(client, auth, role="admin", name="provisioning")
    response = await client.post(
        KEYS,
        json={"name": "made by a key", "role": "supervisor"},
        headers={"X-API-Key": admin["key"]},
    )
    assert response.status_code == 201, response.text
    assert response.json()["created_by"] == f"api-key:{admin['id']}"


@pytest.mark.parametrize(
    "key",
    ["adr_not-a-real-key", "", "x" * 300, "adr_" + "A" * 43],
    ids=["made-up", "empty", "long", "shaped"],
)
async def test_an_unknown_key_is_401(client, key):
    response = await client.get("/api/v1/policy", headers={"X-API-Key": key})
    assert_problem(response, 401)
    assert "WWW-Authenticate" in response.headers


async def test_revoke_stops_the_key_at_once(client, auth):
    created = await _create(client, auth, role="supervisor")
    headers = {"X-API-Key": created["key"]}
    assert (await client.get("/api/v1/policy", headers=headers)).status_code == 200
    response = await client.delete(f"{KEYS}/{created['id']}", headers=auth(Role.ADMIN))
    assert response.status_code == 200, response.text
    revoked = response.json()
    assert revoked["id"] == created["id"]
    assert revoked["revoked_at"] is not None
    assert "key" not in revoked
    assert_problem(await client.get("/api/v1/policy", headers=headers), 401, "invalid_api_key")
    listed = (await client.get(KEYS, headers=auth(Role.ADMIN))).json()["items"]
    assert next(i for i in listed if i["id"] == created["id"])["revoked_at"] is not None


async def test_revoking_twice_keeps_the_first_revocation(client, auth):
    created = await _create(client, auth)
    first = (await client.delete(f"{KEYS}/{created['id']}", headers=auth(Role.ADMIN))).json()
    second = await client.delete(f"{KEYS}/{created['id']}", headers=auth(Role.ADMIN))
    assert second.status_code == 200
    assert second.json()["revoked_at"] == first["revoked_at"]


async def test_revoking_an_unknown_key_is_404(client, auth):
    response = await client.delete(f"{KEYS}/{uuid.uuid4()}", headers=auth(Role.ADMIN))
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_non_admins_may_not_touch_keys(client, auth, role):
    created = await _create(client, auth)
    headers = auth(role)
    assert_problem(
        await client.post(KEYS, json={"name": "x", "role": "admin"}, headers=headers),
        403,
        "role_not_allowed",
    )
    assert_problem(await client.get(KEYS, headers=headers), 403, "role_not_allowed")
    assert_problem(
        await client.delete(f"{KEYS}/{created['id']}", headers=headers), 403, "role_not_allowed"
    )
    # The refused revocation changed nothing.
    still = await client.get("/api/v1/policy", headers={"X-API-Key": created["key"]})
    assert still.status_code == 200


async def test_agency_officer_key_needs_an_agency(client, auth):
    response = await client.post(
        KEYS, json={"name": "county system", "role": "agency_officer"}, headers=auth(Role.ADMIN)
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["agency_id"]


async def test_agency_officer_key_needs_an_agency_that_exists(client, auth):
    response = await client.post(
        KEYS,
        json={"name": "county system", "role": "agency_officer", "agency_id": str(uuid.uuid4())},
        headers=auth(Role.ADMIN),
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "agency_id"
    assert body["errors"][0]["code"] == "unknown_agency"


async def test_agency_officer_key_acts_for_its_agency(client, auth, session):
    agency_id = (await session.execute(select(Agency.id).limit(1))).scalar_one()
    created = await _create(client, auth, role="agency_officer", agency_id=str(agency_id))
    assert created["agency_id"] == str(agency_id)
    response = await client.get("/api/v1/policy", headers={"X-API-Key": created["key"]})
    assert response.status_code == 200, response.text


async def test_lawyer_keys_are_refused(client, auth):
    response = await client.post(
        KEYS, json={"name": "a person", "role": "lawyer"}, headers=auth(Role.ADMIN)
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "role"


# --- expiry -----------------------------------------------------------------------------------


async def test_a_key_works_through_its_expiry_day_and_not_after(client, auth, session):
    today = today_shanghai()
    created = await _create(client, auth, expires_on=today.isoformat())
    # The end of the day in Asia/Shanghai, whatever the server's clock zone.
    expected_end = datetime.combine(today + timedelta(days=1), time(), tzinfo=SHANGHAI)
    assert datetime.fromisoformat(created["expires_at"]) == expected_end
    key = {"X-API-Key": created["key"]}
    assert (await client.get("/api/v1/policy", headers=key)).status_code == 200
    # Time passes (the stored instant is moved into the past, as the clock would).
    row = await session.get(ApiKey, uuid.UUID(created["id"]))
    assert row is not None
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await session.flush()
    assert_problem(await client.get("/api/v1/policy", headers=key), 401, "api_key_expired")


async def test_a_key_without_expiry_shows_none(client, auth):
    created = await _create(client, auth)
    assert created["expires_at"] is None


async def test_an_expiry_day_in_the_past_is_refused(client, auth):
    yesterday = today_shanghai() - timedelta(days=1)
    response = await client.post(
        KEYS,
        json={"name": "late", "role": "supervisor", "expires_on": yesterday.isoformat()},
        headers=auth(Role.ADMIN),
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "expires_on"
