"""What a lawyer's work archive (SPEC 2.12) is computed from: the year's offers with their
cases' current outcomes, pool memberships and confirmed activities. A lawyer's year is a
few hundred rows at most, read through indexes on the lawyer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Activity, ActivityLawyer, Assignment, Case, CaseOutcome, PoolMembership
from app.states.codes import ActivityStatus


@dataclass(frozen=True, slots=True)
class OfferRow:
    assignment: Assignment
    case_no: str
    outcome: CaseOutcome | None  # the case's current outcome (None while it is open)


async def offers_of(
    session: AsyncSession, *, lawyer_id: uuid.UUID, start: datetime, end: datetime
) -> list[OfferRow]:
    """Offers made to the lawyer in [start, end), oldest first, with their cases."""
    stmt = (
        select(Assignment, Case.case_no)
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.lawyer_id == lawyer_id,
            Assignment.offered_at >= start,
            Assignment.offered_at < end,
        )
        .order_by(Assignment.offered_at, Assignment.id)
    )
    rows = (await session.execute(stmt)).all()
    case_ids = {assignment.case_id for assignment, _ in rows}
    outcomes: dict[uuid.UUID, CaseOutcome] = {}
    if case_ids:
        current = select(CaseOutcome).where(
            CaseOutcome.case_id.in_(case_ids), CaseOutcome.reopened_at.is_(None)
        )
        outcomes = {o.case_id: o for o in (await session.execute(current)).scalars()}
    return [OfferRow(a, case_no, outcomes.get(a.case_id)) for a, case_no in rows]


async def memberships_of(
    session: AsyncSession, *, lawyer_id: uuid.UUID, year: int
) -> list[PoolMembership]:
    stmt = (
        select(PoolMembership)
        .where(PoolMembership.lawyer_id == lawyer_id, PoolMembership.year == year)
        .order_by(PoolMembership.nominated_at, PoolMembership.id)
    )
    return list((await session.execute(stmt)).scalars())


async def confirmed_activities_of(
    session: AsyncSession, *, lawyer_id: uuid.UUID, first_day: date, last_day: date
) -> list[Activity]:
    stmt = (
        select(Activity)
        .join(ActivityLawyer, ActivityLawyer.activity_id == Activity.id)
        .where(
            ActivityLawyer.lawyer_id == lawyer_id,
            Activity.status == ActivityStatus.CONFIRMED,
            Activity.occurred_on >= first_day,
            Activity.occurred_on <= last_day,
        )
        .order_by(Activity.occurred_on, Activity.id)
    )
    return list((await session.execute(stmt)).scalars())
