"""Idempotency-Key on intake (SPEC 3): replay, reuse with another body, per caller, required
for API-key callers, nothing kept for a request that failed."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app.db.models import Case, IdempotencyKey
from app.states.codes import Role
from tests.support.factories import API, CASES, case_body
from tests.support.problems import assert_problem


async def count_cases(session) -> int:
    return int((await session.execute(select(func.count()).select_from(Case))).scalar_one())


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def test_the_same_key_and_body_replays_the_first_response(
    client, coordinator, session, intake, respondent
):
    body = case_body(intake, respondent)
    before = await count_cases(session)
    first = await client.post(CASES, json=body, headers=keyed(coordinator, "intake-0001"))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = await client.post(CASES, json=body, headers=keyed(coordinator, "intake-0001"))
    assert second.status_code == 201, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    # The kept answer was written with the case, by the statement that numbered it: the
    # number is in it, not a placeholder.
    assert re.fullmatch(r"LC\d{4}-\d{5,}", second.json()["case_no"])
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["cache-control"] == "no-store"
    assert await count_cases(session) == before + 1


async def test_a_replay_carries_the_first_responses_etag(client, coordinator, intake, respondent):
    body = case_body(intake, respondent)
    first = await client.post(CASES, json=body, headers=keyed(coordinator, "intake-etag-1"))
    second = await client.post(CASES, json=body, headers=keyed(coordinator, "intake-etag-1"))
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers.get("etag") == first.headers["etag"]


async def test_a_replay_after_a_correction_still_returns_the_first_response(
    client, coordinator, intake, respondent
):
    body = case_body(intake, respondent)
    first = await client.post(CASES, json=body, headers=keyed(coordinator, "intake-0002"))
    case = first.json()
    patched = await client.patch(
        f"{CASES}/{case['id']}",
        json={"title": "更正"},
        headers={**coordinator, "If-Match": first.headers["etag"]},
    )
    assert patched.status_code == 200
    again = await client.post(CASES, json=body, headers=keyed(coordinator, "intake-0002"))
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == case


async def test_key_order_and_spacing_of_the_json_do_not_matter(
    client, coordinator, session, intake, respondent
):
    body = case_body(intake, respondent)
    first = await client.post(CASES, json=body, headers=keyed(coordinator, "intake-0003"))
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=False)
    second = await client.post(
        CASES,
        content=reordered.encode(),
        headers={**keyed(coordinator, "intake-0003"), "Content-Type": "application/json"},
    )
    assert second.status_code == 201, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]


async def test_the_same_key_with_another_body_is_refused(
    client, coordinator, session, intake, respondent
):
    body = case_body(intake, respondent)
    first = await client.post(CASES, json=body, headers=keyed(coordinator, "intake-0004"))
    assert first.status_code == 201
    before = await count_cases(session)
    other = {**body, "title": "另一件事"}
    response = await client.post(CASES, json=other, headers=keyed(coordinator, "intake-0004"))
    body_ = assert_problem(response, 422, "idempotency_key_reused")
    assert body_["errors"][0]["code"] == "idempotency_key_reused"
    assert await count_cases(session) == before


async def test_keys_belong_to_one_caller(client, auth, session, intake, respondent):
    body = case_body(intake, respondent)
    li = auth(Role.CENTER_COORDINATOR, sub="center-li")
    zhang = auth(Role.CENTER_COORDINATOR, sub="center-zhang")
    first = await client.post(CASES, json=body, headers=keyed(li, "shared-key-1"))
    second = await client.post(CASES, json=body, headers=keyed(zhang, "shared-key-1"))
    assert first.status_code == second.status_code == 201, second.text
    assert "idempotent-replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]
    # And another caller's different body under the same key is no reuse either.
    third = await client.post(
        CASES,
        json={**body, "title": "第三位"},
        headers=keyed(auth(Role.ADMIN, sub="admin-zhao"), "shared-key-1"),
    )
    assert third.status_code == 201, third.text


async def test_without_a_key_every_request_creates_a_case(
    client, coordinator, session, intake, respondent
):
    body = case_body(intake, respondent)
    before = await count_cases(session)
    first = await client.post(CASES, json=body, headers=coordinator)
    second = await client.post(CASES, json=body, headers=coordinator)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert await count_cases(session) == before + 2


async def test_a_failed_request_stores_nothing_and_a_fixed_retry_succeeds(
    client, coordinator, session, intake, respondent, center
):
    failed = await client.post(
        CASES, json=case_body(intake, center), headers=keyed(coordinator, "retry-key-1")
    )
    assert_problem(failed, 422)
    stored = (
        await session.execute(select(IdempotencyKey).where(IdempotencyKey.key == "retry-key-1"))
    ).all()
    assert stored == []
    fixed = await client.post(
        CASES, json=case_body(intake, respondent), headers=keyed(coordinator, "retry-key-1")
    )
    assert fixed.status_code == 201, fixed.text
    assert "idempotent-replayed" not in fixed.headers
    again = await client.post(
        CASES, json=case_body(intake, respondent), headers=keyed(coordinator, "retry-key-1")
    )
    # A fresh body of the helper has new numbers: that is another request now.
    assert again.status_code == 422


async def test_a_schema_error_stores_nothing_either(
    client, coordinator, session, intake, respondent
):
    body = case_body(intake, respondent)
    bad = {**body, "title": ""}
    assert_problem(
        await client.post(CASES, json=bad, headers=keyed(coordinator, "retry-key-2")), 422
    )
    fixed = await client.post(CASES, json=body, headers=keyed(coordinator, "retry-key-2"))
    assert fixed.status_code == 201, fixed.text
    assert "idempotent-replayed" not in fixed.headers


async def test_a_conflict_stores_nothing(client, coordinator, intake, respondent):
    ref = {"system": "xinfang", "id": "IDEM-1"}
    await client.post(
        CASES, json=case_body(intake, respondent, external_ref=ref), headers=coordinator
    )
    body = case_body(intake, respondent, external_ref=ref)
    assert_problem(
        await client.post(CASES, json=body, headers=keyed(coordinator, "conflict-key")),
        409,
        "duplicate_external_ref",
    )
    assert_problem(
        await client.post(CASES, json=body, headers=keyed(coordinator, "conflict-key")),
        409,
        "duplicate_external_ref",
    )


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 201])
async def test_malformed_keys_are_refused(client, coordinator, intake, respondent, key):
    response = await client.post(
        CASES, json=case_body(intake, respondent), headers=keyed(coordinator, key)
    )
    assert response.status_code in (400, 422), response.text


# --- API-key callers ---------------------------------------------------------------------


@pytest.fixture
async def api_key(client, admin) -> dict[str, str]:
    response = await client.post(
        f"{API}/api-keys",
        json={"name": "信访系统对接", "role": "center_coordinator"},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return {"X-API-Key": created["key"]}


async def test_an_api_key_caller_must_send_a_key(client, api_key, session, intake, respondent):
    before = await count_cases(session)
    response = await client.post(CASES, json=case_body(intake, respondent), headers=api_key)
    assert_problem(response, 400, "idempotency_key_required")
    assert await count_cases(session) == before


async def test_an_api_key_caller_with_a_key_takes_in_and_replays(
    client, api_key, session, intake, respondent
):
    body = case_body(intake, respondent)
    first = await client.post(CASES, json=body, headers=keyed(api_key, "xf-2026-000777"))
    assert first.status_code == 201, first.text
    second = await client.post(CASES, json=body, headers=keyed(api_key, "xf-2026-000777"))
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]


async def test_an_api_key_caller_may_read_without_a_key(
    client, api_key, coordinator, intake, respondent
):
    response = await client.post(
        CASES, json=case_body(intake, respondent), headers=keyed(api_key, "xf-read-0001")
    )
    case_id = response.json()["id"]
    read = await client.get(f"{CASES}/{case_id}", headers=api_key)
    assert read.status_code == 200, read.text


async def test_keys_live_72_hours_and_an_expired_key_runs_again(
    client, coordinator, session, intake, respondent
):
    body = case_body(intake, respondent)
    first = await client.post(CASES, json=body, headers=keyed(coordinator, "expiry-key-1"))
    row = (
        await session.execute(select(IdempotencyKey).where(IdempotencyKey.key == "expiry-key-1"))
    ).scalar_one()
    # At least 72 hours (the two instants are taken a moment apart when the row is written).
    assert row.expires_at - row.created_at > timedelta(hours=71, minutes=59)
    assert row.caller == "center-li"
    assert row.response_status == 201
    # Expired: the key is free again and the request runs as new.
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key == "expiry-key-1")
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    await session.commit()
    again = await client.post(CASES, json=body, headers=keyed(coordinator, "expiry-key-1"))
    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]


async def test_a_replay_is_404_for_a_caller_who_may_no_longer_see_the_case(
    client, auth, intake, respondent, bystander
):
    # The same person (sub) took the case in for one agency and has since moved to another:
    # their replay must not show a case that a fresh read would not.
    body = case_body(intake, respondent)
    before = auth(Role.AGENCY_OFFICER, sub="officer-moved", agency_id=uuid.UUID(intake))
    first = await client.post(CASES, json=body, headers=keyed(before, "moved-officer-1"))
    assert first.status_code == 201, first.text
    still = await client.post(CASES, json=body, headers=keyed(before, "moved-officer-1"))
    assert still.headers["idempotent-replayed"] == "true"
    after = auth(Role.AGENCY_OFFICER, sub="officer-moved", agency_id=uuid.UUID(bystander))
    replay = await client.post(CASES, json=body, headers=keyed(after, "moved-officer-1"))
    assert_problem(replay, 404)
    assert first.json()["id"] not in replay.text
