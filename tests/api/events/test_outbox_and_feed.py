"""The outbox and the feed (SPEC 2.16): every listed change writes its event in the same
transaction, ``data`` is the object as the API shows it with personal data masked, and the
feed serves every committed event once, in order, to a reader following ``next_cursor``."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.models import Event
from app.db.session import transaction
from app.domain.events.outbox import record_event
from app.domain.maintenance.sweep import sweep_once
from app.states.codes import EventType, Role
from tests.support.dispatch_world import DispatchWorld, outcome_body
from tests.support.factories import API, masked_mobile, mobile, resident_id, today

EVENTS = f"{API}/events"


async def read_feed(client: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every event, following next_cursor until the feed says there is no more now."""
    seen: list[dict[str, Any]] = []
    after = params.pop("after", None)
    while True:
        query = {**params, **({"after": after} if after else {})}
        response = await client.get(EVENTS, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["items"]
        after = page["next_cursor"]
        if not page["has_more"]:
            return seen


@pytest.fixture
def world(client: Any, auth: Any) -> DispatchWorld:
    return DispatchWorld(client, auth)


async def test_intake_writes_case_received_with_its_number_and_masked_data(world, client):
    respondent = await world.respondent()
    number, phone = resident_id(), mobile()
    body = {
        "channel": "petition",
        "intake_agency_id": respondent["id"],
        "respondent_agency_id": respondent["id"],
        "applicants": [
            {
                "kind": "natural_person",
                "name": "李某某",
                "id_type": "resident_id",
                "id_number": number,
                "phone": phone,
            }
        ],
        "act": {"type": "administrative_penalty", "known_on": today().isoformat()},
        "title": f"罚款争议 联系电话{phone}",
        "facts": f"身份证{number}",
        "claims": "撤销罚款",
    }
    created = await client.post(f"{API}/cases", json=body, headers=world.coordinator)
    assert created.status_code == 201, created.text
    case = created.json()

    events = await read_feed(client, world.admin)
    received = [e for e in events if e["type"] == "case.received"]
    assert len(received) == 1
    event = received[0]
    assert event["subject"] == {"type": "case", "id": case["id"]}
    assert event["data"]["case_no"] == case["case_no"]
    assert event["data"]["status"] == "received"
    assert event["data"]["title"] == f"罚款争议 联系电话{masked_mobile(phone)}"
    text = str(event)
    assert phone not in text
    assert number not in text


async def test_a_refused_change_leaves_no_event(world, client):
    respondent = await world.respondent()
    center = await world.agency(kind="reconciliation_center")
    case = await world.case(respondent, classify=False)
    before = await read_feed(client, world.admin)
    # Refused by the rules after parsing: no case, no event.
    bad = {
        "channel": "petition",
        "intake_agency_id": respondent["id"],
        "respondent_agency_id": center["id"],
        "applicants": [
            {"kind": "other_org", "name": "某合作社", "id_type": "other", "id_number": "X1"}
        ],
        "act": {"type": "other"},
        "title": "t",
        "facts": "f",
        "claims": "c",
    }
    assert (
        await client.post(f"{API}/cases", json=bad, headers=world.coordinator)
    ).status_code == 422
    # A correction without If-Match is refused after the case was read and locked.
    patch = await client.patch(
        f"{API}/cases/{case['id']}", json={"title": "新标题"}, headers=world.coordinator
    )
    assert patch.status_code == 428
    after = await read_feed(client, world.admin)
    assert [e["id"] for e in after] == [e["id"] for e in before]


async def test_an_event_is_rolled_back_with_its_transaction(db):
    async def count() -> int:
        async with db.sessionmaker() as session:
            return int((await session.execute(select(func.count(Event.serial)))).scalar_one())

    async def failing_change() -> None:
        async with transaction(db.sessionmaker) as session:
            record_event(session, EventType.CASE_CORRECTED, ("case", uuid.uuid4()), {"title": "t"})
            await session.flush()
            raise RuntimeError("the change fails after its event was written")

    start = await count()
    with pytest.raises(RuntimeError):
        await failing_change()
    assert await count() == start
    async with transaction(db.sessionmaker) as session:
        record_event(session, EventType.CASE_CORRECTED, ("case", uuid.uuid4()), {"title": "t"})
    assert await count() == start + 1


async def test_the_life_of_a_case_is_in_the_feed_in_order(world, client):
    case, lawyer, accepted = await world.in_mediation()
    response = await world.outcome(case["id"], outcome_body("explained"))
    assert response.status_code == 201, response.text
    reopened = await world.follow_up(case["id"], "reopen", {"reason": "申请人反映未息诉"})
    assert reopened.status_code == 200, reopened.text

    events = await read_feed(client, world.coordinator)
    about_case = [e["type"] for e in events if e["subject"]["id"] in (case["id"], accepted["id"])]
    assert about_case == [
        "case.received",
        "case.classified",
        "assignment.offered",
        "assignment.accepted",
        "outcome.recorded",
        "case.closed",
        "case.reopened",
    ]
    by_type = {e["type"]: e for e in events if e["subject"]["id"] in (case["id"], accepted["id"])}
    assert by_type["assignment.accepted"]["data"]["status"] == "accepted"
    assert by_type["assignment.accepted"]["data"]["lawyer_id"] == lawyer["id"]
    assert by_type["case.closed"]["data"]["outcome_type"] == "explained"
    assert by_type["outcome.recorded"]["data"]["type"] == "explained"
    # The pool membership of the lawyer was nominated and approved: two changes.
    memberships = [e for e in events if e["type"] == "pool.membership_changed"]
    assert [m["data"]["status"] for m in memberships][-2:] == ["nominated", "approved"]


async def test_declines_work_conflicts_and_certificates(world, client):
    case = await world.case()
    first = await world.lawyer()
    offer = await world.offer(case["id"], lawyer_id=first["id"])
    await world.decline(offer, "work_conflict", "开庭")
    ruling = await world.decide(offer, first, "release")
    assert ruling.status_code == 200, ruling.text
    await world.suspend(first)

    events = await read_feed(
        client,
        world.admin,
        types=[
            "assignment.conflict_reported",
            "assignment.conflict_decided",
            "lawyer.certificate_changed",
            "pool.membership_changed",
        ],
    )
    kinds = [(e["type"], e["subject"]["id"]) for e in events]
    assert ("assignment.conflict_reported", offer["id"]) in kinds
    assert ("assignment.conflict_decided", offer["id"]) in kinds
    assert ("lawyer.certificate_changed", first["id"]) in kinds
    changed = [e for e in events if e["type"] == "lawyer.certificate_changed"][-1]
    assert changed["data"]["certificate_status"] == "suspended"
    withdrawn = [e for e in events if e["type"] == "pool.membership_changed"][-1]
    assert withdrawn["data"]["status"] == "withdrawn"
    assert {e["type"] for e in events} <= {
        "assignment.conflict_reported",
        "assignment.conflict_decided",
        "lawyer.certificate_changed",
        "pool.membership_changed",
    }


async def test_a_case_entering_the_warning_window_is_announced_once(world, client, db):
    respondent = await world.respondent()
    # Known 50 days ago: the 60-day reconsideration deadline is within the 15-day window.
    body = {
        "channel": "letter",
        "intake_agency_id": respondent["id"],
        "respondent_agency_id": respondent["id"],
        "applicants": [
            {
                "kind": "natural_person",
                "name": "赵某",
                "id_type": "passport",
                "id_number": "E12345678",
            }
        ],
        "act": {
            "type": "administrative_penalty",
            "known_on": (today() - timedelta(days=50)).isoformat(),
        },
        "title": "罚款",
        "facts": "f",
        "claims": "c",
    }
    created = await client.post(f"{API}/cases", json=body, headers=world.coordinator)
    assert created.status_code == 201, created.text
    far = await world.case(respondent, classify=False)  # known 30 days ago: not yet

    first = await sweep_once(db.sessionmaker)
    again = await sweep_once(db.sessionmaker)
    assert first.deadline_warnings >= 1
    assert again.deadline_warnings == 0
    warnings = await read_feed(client, world.admin, types=["case.deadline_warning"])
    subjects = [e["subject"]["id"] for e in warnings]
    assert subjects.count(created.json()["id"]) == 1
    assert far["id"] not in subjects
    warning = next(e for e in warnings if e["subject"]["id"] == created.json()["id"])
    assert warning["data"]["deadlines"]["warning"] is True


async def test_the_feed_pages_follow_next_cursor_without_gaps_or_repeats(world, client):
    for _ in range(3):
        await world.case(classify=False)
    everything = await read_feed(client, world.admin)
    paged = await read_feed(client, world.admin, limit=2)
    assert [e["id"] for e in paged] == [e["id"] for e in everything]
    assert len({e["id"] for e in paged}) == len(paged) >= 3
    # The cursor at the end keeps: reading on from it gives only what came later.
    last = await client.get(EVENTS, params={"limit": 200}, headers=world.admin)
    cursor = last.json()["next_cursor"]
    await world.case(classify=False)
    later = await client.get(EVENTS, params={"after": cursor}, headers=world.admin)
    assert [e["type"] for e in later.json()["items"]] == ["case.received"]
    only = await read_feed(client, world.admin, types=["case.received"])
    assert {e["type"] for e in only} == {"case.received"}


@pytest.mark.parametrize("role", [Role.AGENCY_OFFICER, Role.LAWYER])
async def test_the_feed_is_for_the_center_bureau_and_admin(client, auth, role):
    response = await client.get(EVENTS, headers=auth(role))
    assert response.status_code == 403
    assert (await client.get(EVENTS)).status_code == 401


async def test_a_bad_cursor_or_type_is_a_422_naming_the_parameter(client, auth):
    admin = auth(Role.ADMIN)
    bad = await client.get(EVENTS, params={"after": "bm9wZQ"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.after"
    wrong_type = await client.get(EVENTS, params={"types": "case.exploded"}, headers=admin)
    assert wrong_type.status_code == 422
    assert "types" in wrong_type.json()["errors"][0]["field"]
