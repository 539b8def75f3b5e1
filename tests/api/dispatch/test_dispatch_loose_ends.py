"""SPEC 2.7's loose ends: a work conflict the agency does not rule on in time ends like an
expired offer; the ruling names the agency head; a coordinator withdraws a live offer; a
lawyer who leaves active service loses live offers, cannot answer, and their accepted work is
listed for reassignment."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Assignment
from app.domain.maintenance.sweep import sweep_once
from tests.support.dispatch_world import DispatchWorld, outcome_body
from tests.support.factories import API, Json, field_errors
from tests.support.problems import assert_problem


async def window_passed(session: AsyncSession, assignment: Json) -> None:
    """Move the assignment's window (answer or ruling) into the past, committed so the app
    sees it."""
    await session.execute(
        update(Assignment)
        .where(Assignment.id == uuid.UUID(assignment["id"]))
        .values(respond_by=now_utc() - timedelta(minutes=5))
    )
    await session.commit()


async def withdraw(world: DispatchWorld, assignment: Json, headers=None, reason="申请人要求更换"):
    return await world.client.post(
        f"{API}/assignments/{assignment['id']}/withdraw",
        json={"reason": reason},
        headers=headers or world.coordinator,
    )


# --- the Art. 9 ruling window ----------------------------------------------------------------


async def test_reporting_a_conflict_opens_a_ruling_window(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    reported = await world.decline(offer, "work_conflict")
    # As long as the answer window the offer had, counted from the report.
    answer_window = datetime.fromisoformat(offer["respond_by"]) - datetime.fromisoformat(
        offer["offered_at"]
    )
    ruling_window = datetime.fromisoformat(reported["respond_by"]) - datetime.fromisoformat(
        reported["responded_at"]
    )
    assert abs(ruling_window - answer_window) < timedelta(seconds=5)
    assert datetime.fromisoformat(reported["respond_by"]) > datetime.fromisoformat(
        offer["respond_by"]
    )


async def test_a_conflict_not_ruled_on_in_time_ends_like_an_expired_offer(world, session):
    lawyer = await world.lawyer()
    successor = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")
    await window_passed(session, offer)

    read = await world.assignment(offer["id"])

    assert read["status"] == "expired"
    types = await world.event_types(case["id"])
    assert types[-3:] == ["offer_expired", "presiding_offer_ended", "offer_presiding"]
    live = await world.live_offer(case["id"])
    assert live is not None
    assert live["lawyer_id"] == successor["id"]


async def test_the_sweep_ends_silent_conflicts_too(world, session, db):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")
    await window_passed(session, offer)

    await sweep_once(db.sessionmaker)

    listed = await world.assignments(case_id=case["id"], status="expired")
    assert [a["id"] for a in listed] == [offer["id"]]
    assert await world.status(case["id"]) == "classified"  # nobody else to redispatch to


async def test_a_late_ruling_finds_the_offer_expired(world, session):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")
    await window_passed(session, offer)

    assert_problem(await world.decide(offer, lawyer, "keep"), 409, "offer_expired")
    # The expiry found on the way is kept.
    assert (await world.assignment(offer["id"]))["status"] == "expired"


async def test_the_ruling_names_the_agency_head(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")

    kept = await world.decide(offer, lawyer, "keep", decided_by="张副局长")

    assert kept.status_code == 200, kept.text
    assert kept.json()["decided_by"] == "张副局长"
    event = [e for e in await world.events(case["id"]) if e["type"] == "work_conflict_kept"][-1]
    assert event["data"]["decided_by"] == "张副局长"


@pytest.mark.parametrize("decided_by", [None, "", "x" * 101])
async def test_a_ruling_without_the_agency_head_is_refused(world, decided_by):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")
    body: Json = {"decision": "release"}
    if decided_by is not None:
        body["decided_by"] = decided_by
    response = await world.answer(
        offer, "conflict-decision", body, headers=world.officer(lawyer["agency_id"])
    )
    assert "decided_by" in field_errors(response)
    assert (await world.assignment(offer["id"]))["status"] == "conflict_reported"


# --- a coordinator withdraws a live offer ---------------------------------------------------


@pytest.mark.parametrize("reported", [False, True])
async def test_a_coordinator_withdraws_a_live_presiding_offer(world, reported):
    lawyer = await world.lawyer()
    successor = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    if reported:
        await world.decline(offer, "work_conflict")

    response = await withdraw(world, offer)

    assert response.status_code == 200, response.text
    withdrawn = response.json()
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdraw_reason"] == "申请人要求更换"
    # Redispatched at once, and never to the lawyer just withdrawn.
    live = await world.live_offer(case["id"])
    assert live is not None
    assert live["lawyer_id"] == successor["id"]
    [record] = await world.audit(action="assignment.withdrawn", object_id=offer["id"])
    assert record["actor_sub"] == "coordinator-1"


async def test_a_withdrawn_lawyer_is_not_offered_the_case_again_automatically(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])

    response = await withdraw(world, offer)

    assert response.status_code == 200, response.text
    assert await world.live_offer(case["id"]) is None
    assert await world.status(case["id"]) == "classified"
    # The coordinator may still name them deliberately.
    again = await world.dispatch(case["id"], lawyer_id=lawyer["id"])
    assert again.status_code == 201, again.text


async def test_only_a_live_offer_can_be_withdrawn(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    accepted = await world.accept(offer)
    body = assert_problem(await withdraw(world, accepted), 409, "invalid_transition")
    assert body["current_status"] == "accepted"
    assert (await world.assignment(offer["id"]))["status"] == "accepted"


@pytest.mark.parametrize("who", ["officer", "lawyer", "supervisor"])
async def test_only_the_center_withdraws_offers(world, who):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    headers = {
        "officer": world.officer(lawyer["agency_id"]),
        "lawyer": world.as_lawyer(lawyer),
        "supervisor": world.supervisor,
    }[who]
    assert_problem(await withdraw(world, offer, headers=headers), 403)
    assert (await world.assignment(offer["id"]))["status"] == "offered"


async def test_a_withdrawal_needs_a_reason(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    assert "reason" in field_errors(await withdraw(world, offer, reason=""))


# --- a lawyer leaving active service --------------------------------------------------------


async def deactivate(world: DispatchWorld, lawyer: Json) -> None:
    response = await world.client.patch(
        f"{API}/lawyers/{lawyer['id']}", json={"active": False}, headers=world.admin
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("leave", ["suspend", "deactivate"])
async def test_leaving_service_withdraws_live_offers_and_redispatches(world, leave):
    lawyer = await world.lawyer()
    successor = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])

    await (world.suspend(lawyer) if leave == "suspend" else deactivate(world, lawyer))

    ended = await world.assignment(offer["id"])
    assert ended["status"] == "withdrawn"
    assert ended["withdraw_reason"] == "lawyer_not_active"
    live = await world.live_offer(case["id"])
    assert live is not None
    assert live["lawyer_id"] == successor["id"]


async def test_a_lawyer_out_of_service_cannot_answer(world, session):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    # The offer is still live (written straight to the database: e.g. a suspension recorded
    # while this request was on its way), the certificate is not.
    await world.suspend(lawyer)
    await session.execute(
        update(Assignment)
        .where(Assignment.id == uuid.UUID(offer["id"]))
        .values(status="offered", ended_at=None)
    )
    await session.commit()
    for action, body in (("accept", None), ("decline", {"reason": "conflict_of_interest"})):
        response = await world.answer(offer, action, body, headers=world.as_lawyer(lawyer))
        assert_problem(response, 409, "lawyer_not_active")


async def test_accepted_work_is_listed_for_reassignment_and_cleared_on_return(world):
    case, lawyer, accepted = await world.in_mediation()
    _, _, other = await world.in_mediation()
    assert accepted["needs_reassignment"] is False

    await world.suspend(lawyer)

    flagged = await world.assignments(needs_reassignment="true")
    assert [a["id"] for a in flagged] == [accepted["id"]]
    assert flagged[0]["status"] == "accepted"
    assert (await world.assignment(other["id"]))["needs_reassignment"] is False
    # The lawyer can no longer record the outcome of the case they presided.
    response = await world.client.post(
        f"{API}/cases/{case['id']}/outcome",
        json=outcome_body("mediated"),
        headers=world.as_lawyer(lawyer),
    )
    assert_problem(response, 409, "lawyer_not_active")

    restored = await world.client.put(
        f"{API}/lawyers/{lawyer['id']}/certificate-status",
        json={"status": "active", "reason": "恢复执业"},
        headers=world.supervisor,
    )
    assert restored.status_code == 200, restored.text
    assert await world.assignments(needs_reassignment="true") == []
    assert (await world.assignment(accepted["id"]))["needs_reassignment"] is False
