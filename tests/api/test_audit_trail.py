"""The audit trail (SPEC 4.4): who did what, from where, with which outcome; refusals too;
readable by admin and supervisor; chained by hash so that an edit or a deletion is found."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AuditRecord
from app.domain.audit.chain import record_hash
from app.domain.audit.service import record_fields as _fields
from app.states.codes import Role
from tests.support.audit import close_failure_minutes
from tests.support.databases import become_owner, become_runtime_role, is_postgres
from tests.support.problems import assert_problem

AUDIT = "/api/v1/audit"
VERIFY = "/api/v1/audit/verify"


async def _records(client: Any, auth: Any, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(AUDIT, params={"limit": 200, **params}, headers=auth(Role.ADMIN))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _create_keys(
    client: Any, auth: Any, count: int, prefix: str = "key"
) -> list[dict[str, Any]]:
    created = []
    for n in range(count):
        response = await client.post(
            "/api/v1/api-keys",
            json={"name": f"{prefix} {n}", "role": "supervisor"},
            headers={**auth(Role.ADMIN), "X-Request-ID": f"{prefix}-{n}"},
        )
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


# --- what a record says ---------------------------------------------------------------------


async def test_a_write_is_recorded_with_actor_object_request_and_address(client, auth):
    response = await client.post(
        "/api/v1/api-keys",
        json={"name": "statistics export", "role": "supervisor"},
        headers={**auth(Role.ADMIN, sub="alice@bureau"), "X-Request-ID": "req-audit-1"},
    )
    created = response.json()
    [record] = await _records(client, auth, action="api_key.create", object_id=created["id"])
    assert record["actor_sub"] == "alice@bureau"
    assert record["actor_role"] == "admin"
    assert record["object_type"] == "api_key"
    assert record["request_id"] == "req-audit-1"
    assert record["client_address"] == "203.0.113.7"
    assert record["outcome"] == "success"
    assert record["changes"] == {
        "name": "statistics export",
        "role": "supervisor",
        "agency_id": None,
    }
    assert created["key"] not in str(record)  # the secret is never audited
    occurred = datetime.fromisoformat(record["occurred_at"])
    assert occurred.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - occurred) < timedelta(minutes=5)


async def test_an_agency_officer_is_recorded_with_the_agency(client, auth):
    agency_id = uuid.uuid4()
    await client.get(AUDIT, headers=auth(Role.AGENCY_OFFICER, agency_id=agency_id))
    [record] = await _records(client, auth, action="authz.refused")
    assert record["actor_role"] == "agency_officer"
    assert record["actor_agency_id"] == str(agency_id)


async def test_revocation_and_policy_changes_are_recorded(client, auth):
    [key] = await _create_keys(client, auth, 1)
    await client.delete(f"/api/v1/api-keys/{key['id']}", headers=auth(Role.ADMIN))
    [revoke] = await _records(client, auth, action="api_key.revoke")
    assert revoke["object_id"] == key["id"]
    response = await client.post(
        "/api/v1/policy/versions", json=_policy("2027-02-01"), headers=auth(Role.ADMIN)
    )
    assert response.status_code == 201, response.text
    [policy] = await _records(client, auth, action="policy.add_version")
    assert policy["object_id"] == response.json()["id"]
    assert policy["changes"]["effective_from"] == "2027-02-01"


async def test_a_failed_write_leaves_no_success_record(client, auth):
    before = len(await _records(client, auth))
    response = await client.post(
        "/api/v1/policy/versions", json=_policy("2020-01-01"), headers=auth(Role.ADMIN)
    )
    assert_problem(response, 409, "policy_not_later")
    assert len(await _records(client, auth)) == before


async def test_personal_data_is_masked_in_records(client, auth):
    response = await client.post(
        "/api/v1/api-keys",
        json={"name": "值班电话 13912345678", "role": "supervisor"},
        headers=auth(Role.ADMIN),
    )
    [record] = await _records(client, auth, object_id=response.json()["id"])
    assert record["changes"]["name"] == "值班电话 139****5678"


# --- refusals -------------------------------------------------------------------------------


async def test_a_401_is_recorded_as_denied_once_its_minute_is_over(client, auth, db, settings):
    response = await client.get("/api/v1/api-keys", headers={"X-Request-ID": "no-creds-1"})
    assert_problem(response, 401)
    assert await _records(client, auth, action="auth.refused") == []  # still counting
    await close_failure_minutes(db, settings)
    [record] = await _records(client, auth, action="auth.refused")
    assert record["outcome"] == "denied"
    assert record["actor_sub"] is None
    assert record["object_id"] == "GET /api/v1/api-keys"
    assert record["request_id"] == "no-creds-1"
    assert record["client_address"] == "203.0.113.7"
    assert record["changes"]["code"] == "authentication_required"
    assert record["changes"]["count"] == 1


async def test_a_bad_api_key_is_recorded_as_denied(client, auth, db, settings):
    await client.get("/api/v1/policy", headers={"X-API-Key": "adr_stolen-or-guessed"})
    await close_failure_minutes(db, settings)
    [record] = await _records(client, auth, action="auth.refused")
    assert record["changes"]["code"] == "invalid_api_key"


async def test_a_403_is_recorded_as_denied_with_the_actor(client, auth):
    response = await client.post(
        "/api/v1/api-keys",
        json={"name": "x", "role": "admin"},
        headers={**auth(Role.SUPERVISOR, sub="bob@bureau"), "X-Request-ID": "forbidden-1"},
    )
    assert_problem(response, 403)
    [record] = await _records(client, auth, action="authz.refused")
    assert record["outcome"] == "denied"
    assert record["actor_sub"] == "bob@bureau"
    assert record["actor_role"] == "supervisor"
    assert record["object_id"] == "POST /api/v1/api-keys"
    assert record["request_id"] == "forbidden-1"
    assert record["changes"] == {"code": "role_not_allowed"}
    # …and the refused write itself left nothing behind.
    assert await _records(client, auth, action="api_key.create") == []


async def test_the_path_of_a_refusal_is_recorded_without_personal_data(client, auth, db, settings):
    await client.delete("/api/v1/api-keys/13912345678")
    await close_failure_minutes(db, settings)
    [record] = await _records(client, auth, action="auth.refused")
    assert "13912345678" not in record["object_id"]
    assert record["object_id"] == "DELETE /api/v1/api-keys/139****5678"


# --- who may read ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR])
async def test_admin_and_supervisor_read_the_trail(client, auth, role):
    await _create_keys(client, auth, 1)
    assert (await client.get(AUDIT, headers=auth(role))).status_code == 200
    assert (await client.get(VERIFY, headers=auth(role))).status_code == 200


@pytest.mark.parametrize("role", [Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER, Role.LAWYER])
async def test_other_roles_may_not_read_the_trail(client, auth, role):
    assert_problem(await client.get(AUDIT, headers=auth(role)), 403, "role_not_allowed")
    assert_problem(await client.get(VERIFY, headers=auth(role)), 403, "role_not_allowed")


async def test_reading_needs_credentials(client):
    assert_problem(await client.get(AUDIT), 401)
    assert_problem(await client.get(VERIFY), 401)


# --- filters and pages ----------------------------------------------------------------------


async def test_filters_select_matching_records_only(client, auth, db, settings):
    keys = await _create_keys(client, auth, 2)
    await client.get("/api/v1/api-keys")  # one refusal
    await close_failure_minutes(db, settings)
    await client.get("/api/v1/api-keys", headers=auth(Role.LAWYER, sub="carol"))

    by_action = await _records(client, auth, action="api_key.create")
    assert {r["object_id"] for r in by_action} == {k["id"] for k in keys}
    denied = await _records(client, auth, outcome="denied")
    assert {r["action"] for r in denied} == {"auth.refused", "authz.refused"}
    assert [r["actor_sub"] for r in await _records(client, auth, actor_sub="carol")] == ["carol"]
    one = await _records(client, auth, object_type="api_key", object_id=keys[1]["id"])
    assert [r["object_id"] for r in one] == [keys[1]["id"]]
    assert await _records(client, auth, action="no.such.action") == []


async def test_time_filters_need_an_offset_and_select_by_time(client, auth):
    await _create_keys(client, auth, 2)
    now = datetime.now(UTC)
    hour = timedelta(hours=1)
    recent = await _records(
        client, auth, occurred_from=(now - hour).isoformat(), occurred_to=(now + hour).isoformat()
    )
    assert len(recent) == 2
    # The same instants written in Beijing time select the same records.
    beijing = timezone(timedelta(hours=8))
    same = await _records(
        client,
        auth,
        occurred_from=(now - hour).astimezone(beijing).isoformat(),
        occurred_to=(now + hour).astimezone(beijing).isoformat(),
    )
    assert [r["seq"] for r in same] == [r["seq"] for r in recent]
    assert await _records(client, auth, occurred_to=(now - timedelta(days=1)).isoformat()) == []
    assert await _records(client, auth, occurred_from=(now + hour).isoformat()) == []
    naive = await client.get(
        AUDIT, params={"occurred_from": "2026-01-01T00:00:00"}, headers=auth(Role.ADMIN)
    )
    body = assert_problem(naive, 422)
    assert body["errors"][0]["field"] == "query.occurred_from"


@pytest.mark.parametrize("moment", ["0", "1700000000", "2026-01-01", "yesterday"])
async def test_time_filters_take_rfc_3339_text_only(client, auth, moment):
    response = await client.get(AUDIT, params={"occurred_to": moment}, headers=auth(Role.ADMIN))
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["query.occurred_to"]


async def test_records_come_newest_first_in_pages_without_duplicates(client, auth):
    await _create_keys(client, auth, 7)
    everything = await _records(client, auth)
    seqs = [r["seq"] for r in everything]
    assert seqs == sorted(seqs, reverse=True)
    seen: list[int] = []
    cursor = None
    for _ in range(20):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(AUDIT, params=params, headers=auth(Role.ADMIN))).json()
        assert len(page["items"]) <= 3
        seen.extend(r["seq"] for r in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == seqs


async def test_a_forged_cursor_is_422(client, auth):
    for cursor in ("%%%", "eyJzZXEiOiAiYSJ9", "W10"):  # junk, {"seq": "a"}, []
        response = await client.get(AUDIT, params={"cursor": cursor}, headers=auth(Role.ADMIN))
        body = assert_problem(response, 422)
        assert body["errors"][0]["field"] == "query.cursor"


# --- the chain ------------------------------------------------------------------------------


async def _verify(client: Any, auth: Any) -> dict[str, Any]:
    response = await client.get(VERIFY, headers=auth(Role.SUPERVISOR))
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_the_chain_is_valid_after_writes_and_refusals(client, auth, db, settings):
    await _create_keys(client, auth, 3)
    await client.get("/api/v1/api-keys")
    await close_failure_minutes(db, settings)
    records = await _records(client, auth)
    report = await _verify(client, auth)
    assert report["valid"] is True
    assert report["records_checked"] == len(records) >= 4
    assert report["last_seq"] == records[0]["seq"]
    assert report["first_broken_seq"] is None
    # Each record names its predecessor's hash.
    ordered = sorted(records, key=lambda r: r["seq"])
    for previous, current in pairwise(ordered):
        assert current["prev_hash"] == previous["hash"]
        assert current["seq"] == previous["seq"] + 1


async def _tamper(session: AsyncSession, sql: str, **params: object) -> None:
    """Change the trail behind the service's back (on PostgreSQL as the owner, a superuser
    here, who has to switch the append-only trigger off first; the service's own role could
    do neither)."""
    if is_postgres():
        await become_owner(await session.connection())
        await session.execute(text("SET LOCAL session_replication_role = replica"))
    await session.execute(text(sql), params)
    await session.flush()
    if is_postgres():
        await session.execute(text("SET LOCAL session_replication_role = DEFAULT"))
        await become_runtime_role(await session.connection())


async def test_an_edited_record_is_found(client, auth, session):
    await _create_keys(client, auth, 4)
    middle = sorted(r["seq"] for r in await _records(client, auth))[1]
    await _tamper(
        session,
        "UPDATE audit_records SET changes = :changes WHERE seq = :seq",
        changes='{"name": "nothing to see", "role": "supervisor", "agency_id": null}',
        seq=middle,
    )
    report = await _verify(client, auth)
    assert report["valid"] is False
    assert report["first_broken_seq"] == middle
    assert "content" in report["problem"]


async def test_an_edited_actor_is_found(client, auth, session):
    await _create_keys(client, auth, 3)
    first = min(r["seq"] for r in await _records(client, auth))
    await _tamper(
        session, "UPDATE audit_records SET actor_sub = 'someone-else' WHERE seq = :seq", seq=first
    )
    report = await _verify(client, auth)
    assert (report["valid"], report["first_broken_seq"]) == (False, first)


async def test_a_deleted_record_is_found(client, auth, session):
    await _create_keys(client, auth, 4)
    seqs = sorted(r["seq"] for r in await _records(client, auth))
    await _tamper(session, "DELETE FROM audit_records WHERE seq = :seq", seq=seqs[1])
    report = await _verify(client, auth)
    assert report["valid"] is False
    assert report["first_broken_seq"] == seqs[2]
    assert f"record {seqs[1]} is missing" in report["problem"]


async def test_a_deleted_last_record_and_renumbering_are_found(client, auth, session):
    # Deleting a middle record and renumbering the rest to close the gap breaks the links.
    await _create_keys(client, auth, 4)
    seqs = sorted(r["seq"] for r in await _records(client, auth))
    await _tamper(session, "DELETE FROM audit_records WHERE seq = :seq", seq=seqs[1])
    for seq in seqs[2:]:
        await _tamper(session, "UPDATE audit_records SET seq = seq - 1 WHERE seq = :seq", seq=seq)
    report = await _verify(client, auth)
    assert report["valid"] is False
    assert report["first_broken_seq"] == seqs[1]


async def test_an_edit_with_a_recomputed_plain_hash_is_found_at_once(client, auth, session):
    # A forger with database access but without the audit key cannot compute the keyed MAC:
    # a plain SHA-256 put in its place is found at the edited record itself.
    await _create_keys(client, auth, 4)
    seqs = sorted(r["seq"] for r in await _records(client, auth))
    await _tamper(
        session,
        "UPDATE audit_records SET actor_sub = 'forger' WHERE seq = :seq",
        seq=seqs[1],
    )
    row = (
        await session.execute(
            select(AuditRecord)
            .where(AuditRecord.seq == seqs[1])
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    forged = record_hash(_fields(row), row.prev_hash)
    await _tamper(
        session, "UPDATE audit_records SET hash = :hash WHERE seq = :seq", hash=forged, seq=seqs[1]
    )
    report = await _verify(client, auth)
    assert report["valid"] is False
    assert report["first_broken_seq"] == seqs[1]
    assert "does not match its hash" in report["problem"]


async def test_an_empty_trail_is_valid(client, auth):
    report = await _verify(client, auth)
    # The verification request itself writes nothing; refusals of other tests are rolled back.
    assert report["valid"] is True
    assert report["records_checked"] == 0
    assert report["last_seq"] is None


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_records SET actor_sub = 'someone-else'",
        "DELETE FROM audit_records",
        "TRUNCATE audit_records",
    ],
)
async def test_postgres_refuses_to_change_the_trail(client, auth, session, statement):
    # Even the owner: the trigger refuses (the runtime role is refused by its privileges
    # before the trigger runs, see tests/db/test_runtime_role.py).
    await _create_keys(client, auth, 2)
    await become_owner(await session.connection())
    with pytest.raises(DBAPIError, match="append-only"):
        async with session.begin_nested():
            await session.execute(text(statement))
    report = await _verify(client, auth)
    assert report["valid"] is True
    assert report["records_checked"] == 2


def _policy(effective_from: str) -> dict[str, Any]:
    return {
        "effective_from": effective_from,
        "pool_max_per_agency": 2,
        "pool_min_per_agency": 1,
        "deadline_warning_days": 15,
        "duplicate_window_days": 180,
        "collective_threshold": 5,
        "max_open_assignments": 5,
        "offer_response_hours": 48,
        "auto_redispatch": True,
        "basis": "test",
    }
