"""The open assignments kept with each lawyer (issue 16: dispatch reads a count instead of
counting) stay what SPEC 2.7 defines — offered, conflict_reported or accepted assignments on
cases not closed — through every step of an offer's and a case's life, whatever code path or
bulk SQL took it; and dispatch ranks and refuses by it as before."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Assignment, Case, Lawyer
from app.db.repositories.dispatch import open_assignments_now
from app.domain.maintenance.sweep import sweep_once
from tests.support.dispatch_world import OTHER_SYSTEM, DispatchWorld, outcome_body
from tests.support.factories import API, Json

OPEN = ("offered", "conflict_reported", "accepted")


async def kept(session: AsyncSession) -> dict[str, int]:
    """Every lawyer's open assignments as dispatch reads them."""
    rows = await session.execute(select(Lawyer.id, open_assignments_now()))
    return {str(lawyer_id): int(n) for lawyer_id, n in rows}


async def defined(session: AsyncSession) -> dict[str, int]:
    """Every lawyer's open assignments counted from the assignments, as SPEC 2.7 defines."""
    counted = dict(
        (
            await session.execute(
                select(Assignment.lawyer_id, func.count())
                .join(Case, Case.id == Assignment.case_id)
                .where(Assignment.status.in_(OPEN), Case.status != "closed")
                .group_by(Assignment.lawyer_id)
            )
        ).all()
    )
    lawyers = (await session.execute(select(Lawyer.id))).scalars()
    return {str(lawyer_id): int(counted.get(lawyer_id, 0)) for lawyer_id in lawyers}


async def check(session: AsyncSession, **expected: int) -> None:
    """The kept counts equal the defined ones for every lawyer, and are ``expected``."""
    counts = await kept(session)
    assert counts == await defined(session)
    assert {k: counts[v] for k, v in NAMES.items() if k in expected} == expected


NAMES: dict[str, str] = {}


async def shown(world: DispatchWorld, lawyer: Json) -> int:
    """The open assignments the ranking shows for ``lawyer`` on a new case."""
    case = await world.case()
    ranked = (await world.candidates(case["id"]))["eligible"]
    [row] = [r for r in ranked if r["lawyer_id"] == lawyer["id"]]
    return int(row["open_assignments"])


async def overdue(session: AsyncSession, assignment: Json) -> None:
    await session.execute(
        update(Assignment)
        .where(Assignment.id == uuid.UUID(assignment["id"]))
        .values(respond_by=now_utc() - timedelta(minutes=5))
    )
    await session.commit()


async def test_the_count_follows_every_step_of_offers_and_cases(world, session, db):
    NAMES.clear()
    a = await world.lawyer(name="甲律师")
    helper = await world.lawyer(name="丁律师")
    # b and c alone take the other system's cases: who gets a redispatch is certain.
    b = await world.lawyer(name="乙律师", specialties=[OTHER_SYSTEM])
    c = await world.lawyer(name="丙律师", specialties=[OTHER_SYSTEM])
    NAMES.update(a=a["id"], b=b["id"], c=c["id"], helper=helper["id"])
    await check(session, a=0, b=0, c=0, helper=0)

    # An offer, accepted; a participating offer on the same case.
    first = await world.case()
    offer = await world.offer(first["id"], lawyer_id=a["id"])
    await check(session, a=1)
    await world.accept(offer)
    await check(session, a=1)
    joined = await world.offer(first["id"], "participating", lawyer_id=helper["id"])
    await check(session, a=1, helper=1)
    assert await shown(world, a) == 1

    # Declined: the case goes to the next in rank at once (the count moves with it).
    second = await world.case(business_system=OTHER_SYSTEM)
    declined = await world.offer(second["id"], lawyer_id=b["id"])
    await check(session, b=1, c=0)
    await world.decline(declined, "other", note="身体原因")
    redispatched = await world.live_offer(second["id"])
    assert redispatched is not None
    assert redispatched["lawyer_id"] == c["id"]
    await check(session, b=0, c=1)

    # A work conflict reported (still open), kept (still open), reported and released:
    # nobody else may take the case, it waits classified.
    await world.decline(redispatched, "work_conflict", note="同期执法任务")
    await check(session, c=1)
    kept_on = await world.decide(redispatched, c, "keep")
    assert kept_on.status_code == 200, kept_on.text
    await check(session, c=1)
    await world.decline(redispatched, "work_conflict", note="仍有冲突")
    released = await world.decide(redispatched, c, "release")
    assert released.status_code == 200, released.text
    assert await world.status(second["id"]) == "classified"
    await check(session, b=0, c=0)

    # Expired by the sweep, and redispatched; then withdrawn by a coordinator.
    third = await world.case(business_system=OTHER_SYSTEM)
    late = await world.offer(third["id"], lawyer_id=b["id"])
    await check(session, b=1, c=0)
    await overdue(session, late)
    assert (await sweep_once(db.sessionmaker)).offers_expired == 1
    await check(session, b=0, c=1)
    live = await world.live_offer(third["id"])
    assert live is not None
    response = await world.client.post(
        f"{API}/assignments/{live['id']}/withdraw",
        json={"reason": "申请人要求更换"},
        headers=world.coordinator,
    )
    assert response.status_code == 200, response.text
    await check(session, b=0, c=0)

    # The case closes with its outcome: the accepted work completes, the participating offer
    # still unanswered is withdrawn; reopened, the presiding mediator resumes.
    closed = await world.outcome(first["id"], outcome_body("mediated"))
    assert closed.status_code == 201, closed.text
    await check(session, a=0, helper=0)
    assert (await world.assignment(joined["id"]))["status"] == "withdrawn"
    reopened = await world.follow_up(first["id"], "reopen", {"reason": "协议未履行"})
    assert reopened.status_code == 200, reopened.text
    await check(session, a=1, helper=0)
    assert await shown(world, a) == 1


async def test_cases_closed_and_reopened_behind_the_service_keep_the_count(world, session):
    """Bulk SQL (an operator's fix, a data load) keeps the count too: the database keeps it."""
    NAMES.clear()
    lawyer = await world.lawyer()
    NAMES.update(lawyer=lawyer["id"])
    offers = await world.load(lawyer, 3)
    await world.accept(offers[0])
    await check(session, lawyer=3)
    cases = [uuid.UUID(o["case_id"]) for o in offers[:2]]

    await session.execute(update(Case).where(Case.id.in_(cases)).values(status="closed"))
    await check(session, lawyer=1)
    await session.execute(update(Case).where(Case.id.in_(cases)).values(status="in_mediation"))
    await check(session, lawyer=3)
    await session.execute(
        update(Assignment)
        .where(Assignment.id == uuid.UUID(offers[2]["id"]))
        .values(status="expired")
    )
    await check(session, lawyer=2)
    await session.execute(delete(Assignment).where(Assignment.id == uuid.UUID(offers[1]["id"])))
    await check(session, lawyer=1)


async def test_capacity_is_read_from_the_count(world, session):
    """At max_open_assignments (5) a lawyer is excluded as at_capacity, and a place freed by
    a decline counts at once."""
    lawyer = await world.lawyer()
    offers = await world.load(lawyer, 5)
    case = await world.case()
    candidates = await world.candidates(case["id"])
    assert candidates["eligible"] == []
    [excluded] = candidates["excluded"]
    assert excluded["reasons"] == ["at_capacity"]
    refused = await world.dispatch(case["id"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "no_eligible_mediator"

    await world.decline(offers[0], "other", note="出差")

    offered = await world.offer(case["id"])
    assert offered["lawyer_id"] == lawyer["id"]
    assert (await kept(session))[lawyer["id"]] == 5
