"""Offers expire after offer_response_hours (SPEC 2.7): found whenever they are read and by the
periodic sweep; a late answer is refused while the expiry is kept; an expired offer counts as
declined_before, and a presiding one sends the case to the next lawyer."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Assignment
from app.domain.maintenance.sweep import sweep_once
from tests.support.dispatch_world import DispatchWorld
from tests.support.factories import API, Json
from tests.support.problems import assert_problem


async def overdue(session: AsyncSession, *assignments: Json) -> None:
    """Move the answer time of these offers into the past (committed in the test's
    transaction, so the app sees it)."""
    await session.execute(
        update(Assignment)
        .where(Assignment.id.in_([uuid.UUID(a["id"]) for a in assignments]))
        .values(respond_by=now_utc() - timedelta(minutes=5))
    )
    await session.commit()


async def expired_events(world: DispatchWorld, case_id: str, assignment_id: str) -> int:
    return sum(
        1
        for e in await world.events(case_id)
        if e["type"] == "offer_expired" and e["data"]["assignment_id"] == assignment_id
    )


async def test_an_overdue_offer_is_expired_when_read(world, session):
    first = await world.lawyer()
    second = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=first["id"])
    await overdue(session, offer)

    read = await world.assignment(offer["id"])

    assert read["status"] == "expired"
    assert read["ended_at"] is not None
    types = await world.event_types(case["id"])
    assert types[-3:] == ["offer_expired", "presiding_offer_ended", "offer_presiding"]
    live = await world.live_offer(case["id"])
    assert live is not None
    assert live["lawyer_id"] == second["id"]
    [audit] = await world.audit(action="assignment.expired", object_id=offer["id"])
    assert audit["actor_sub"] == "system"
    # The lawyer reading their own offer sees the same.
    mine = await world.assignment(offer["id"], headers=world.as_lawyer(first))
    assert mine["status"] == "expired"
    assert await expired_events(world, case["id"], offer["id"]) == 1


async def test_reading_the_list_expires_overdue_offers(world, session):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await overdue(session, offer)

    listed = await world.assignments(case_id=case["id"])

    assert [a["status"] for a in listed] == ["expired"]
    assert await world.status(case["id"]) == "classified"


async def test_the_lawyers_own_list_expires_overdue_offers(world, session):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await overdue(session, offer)

    listed = await world.assignments(headers=world.as_lawyer(lawyer))

    assert [(a["id"], a["status"]) for a in listed] == [(offer["id"], "expired")]


async def test_the_sweep_expires_every_overdue_offer_once(world, session, db):
    lawyers = [await world.lawyer() for _ in range(3)]
    cases = [await world.case() for _ in range(3)]
    offers = [
        await world.offer(case["id"], lawyer_id=lawyer["id"])
        for case, lawyer in zip(cases, lawyers, strict=True)
    ]
    not_due_case = await world.case()
    not_due = await world.offer(not_due_case["id"], lawyer_id=lawyers[0]["id"])
    await overdue(session, *offers)

    report = await sweep_once(db.sessionmaker)

    assert report.offers_expired == 3
    for case, offer in zip(cases, offers, strict=True):
        assert (await world.assignment(offer["id"]))["status"] == "expired"
        assert await expired_events(world, case["id"], offer["id"]) == 1
    assert (await world.assignment(not_due["id"]))["status"] == "offered"
    again = await sweep_once(db.sessionmaker)
    assert again.offers_expired == 0
    for case, offer in zip(cases, offers, strict=True):
        assert await expired_events(world, case["id"], offer["id"]) == 1


async def test_the_sweep_redispatches_an_expired_presiding_offer(world, session, db):
    first = await world.lawyer()
    second = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=first["id"])
    await overdue(session, offer)

    await sweep_once(db.sessionmaker)

    live = await world.live_offer(case["id"])
    assert live is not None
    assert live["lawyer_id"] == second["id"]
    assert live["offered_by"] == "system"
    assert await world.status(case["id"]) == "awaiting_acceptance"


async def test_accepting_an_expired_offer_is_refused_and_the_expiry_kept(world, session):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await overdue(session, offer)

    assert_problem(await world.answer(offer, "accept"), 409, "offer_expired")

    assert (await world.assignment(offer["id"]))["status"] == "expired"
    assert await world.status(case["id"]) == "classified"
    assert await expired_events(world, case["id"], offer["id"]) == 1
    # A second try is refused too, and expires nothing again.
    assert_problem(await world.answer(offer, "accept"), 409)
    assert await expired_events(world, case["id"], offer["id"]) == 1


async def test_answering_an_offer_the_sweep_expired_is_409_offer_expired(world, session, db):
    """However the expiry was found (a read, the sweep, the answer itself), a late answer gets
    the same answer: 409 offer_expired (SPEC 2.7, issue 5)."""
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await overdue(session, offer)
    assert (await sweep_once(db.sessionmaker)).offers_expired == 1

    assert_problem(await world.answer(offer, "accept"), 409, "offer_expired")
    assert_problem(
        await world.answer(offer, "decline", {"reason": "conflict_of_interest"}),
        409,
        "offer_expired",
    )
    assert (await world.assignment(offer["id"]))["status"] == "expired"
    assert await expired_events(world, case["id"], offer["id"]) == 1


async def test_declining_an_expired_offer_is_refused_and_the_expiry_kept(world, session):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await overdue(session, offer)

    assert_problem(
        await world.answer(offer, "decline", {"reason": "conflict_of_interest"}),
        409,
        "offer_expired",
    )

    after = await world.assignment(offer["id"])
    assert after["status"] == "expired"
    assert after["decline_reason"] is None


async def test_an_expired_offer_counts_as_declined_before(world, session):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await overdue(session, offer)
    await world.assignment(offer["id"])

    found = await world.candidates(case["id"])
    assert found["excluded"][0]["reasons"] == ["declined_before"]
    failed = [e for e in await world.events(case["id"]) if e["type"] == "redispatch_failed"]
    assert failed[0]["data"]["exclusions"] == {"declined_before": 1}


async def test_a_reported_conflict_waits_only_for_its_ruling_window(world, session, db):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")

    # Within the window the conflict waits for the agency's ruling.
    assert (await sweep_once(db.sessionmaker)).offers_expired == 0
    assert (await world.assignment(offer["id"]))["status"] == "conflict_reported"
    # A silent agency: the offer ends like an expired one (SPEC 2.7).
    await overdue(session, offer)
    assert (await sweep_once(db.sessionmaker)).offers_expired == 1
    assert (await world.assignment(offer["id"]))["status"] == "expired"


async def test_a_kept_offer_expires_again_after_its_new_window(world, session, db):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")
    assert (await world.decide(offer, lawyer, "keep")).status_code == 200
    await overdue(session, offer)

    assert (await sweep_once(db.sessionmaker)).offers_expired == 1
    assert (await world.assignment(offer["id"]))["status"] == "expired"


async def test_an_expired_participating_offer_leaves_the_case_alone(world, session):
    presiding = await world.lawyer()
    helper = await world.lawyer()
    case = await world.case()
    main = await world.offer(case["id"], lawyer_id=presiding["id"])
    await world.accept(main)
    joined = await world.offer(case["id"], "participating", lawyer_id=helper["id"])
    await overdue(session, joined)

    assert (await world.assignment(joined["id"]))["status"] == "expired"
    assert await world.status(case["id"]) == "in_mediation"
    assert "presiding_offer_ended" not in await world.event_types(case["id"])


async def test_an_accepted_offer_never_expires(world, session, db):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.accept(offer)
    await overdue(session, offer)
    assert (await sweep_once(db.sessionmaker)).offers_expired == 0
    assert (await world.assignment(offer["id"]))["status"] == "accepted"
    response = await world.client.get(f"{API}/assignments", headers=world.coordinator)
    assert response.status_code == 200
    assert await world.status(case["id"]) == "in_mediation"


async def test_a_dispatch_expires_the_cases_overdue_offer_before_it_offers(world, session):
    """The dispatch asks whether its case has an overdue offer along with the case's lock,
    and expires it first (the case goes to the next lawyer), then makes its own offer."""
    first = await world.lawyer()
    for _ in range(3):
        await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=first["id"])
    await overdue(session, offer)

    joined = await world.offer(case["id"], "participating")

    types = await world.event_types(case["id"])
    assert types[-4:] == [
        "offer_expired",
        "presiding_offer_ended",
        "offer_presiding",
        "offer_participating",
    ]
    assert await expired_events(world, case["id"], offer["id"]) == 1
    live = await world.live_offer(case["id"])
    assert live is not None
    assert live["lawyer_id"] not in (first["id"], joined["lawyer_id"])
    # Nothing overdue the next time: the expiry is not repeated.
    await world.offer(case["id"], "participating")
    assert await expired_events(world, case["id"], offer["id"]) == 1
