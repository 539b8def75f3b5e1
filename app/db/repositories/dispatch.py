"""The facts dispatch decides on: who could take a case, and how busy they are."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db.models import (
    Agency,
    Assignment,
    Case,
    Lawyer,
    LawyerSpecialty,
    LawyerUnavailability,
    PoolMembership,
)
from app.db.models.assignments import OPEN_STATUSES


@dataclass(frozen=True)
class CandidateRow:
    lawyer: Lawyer
    region_code: str
    in_pool: bool
    open_assignments: int
    last_offered_at: datetime | None
    statuses_on_case: tuple[str, ...]
    unavailable_today: bool


async def candidates(
    session: AsyncSession,
    *,
    case_id: uuid.UUID,
    year: int,
    business_system: str | None,
    today: date,
    only: uuid.UUID | None = None,
) -> list[CandidateRow]:
    """Active lawyers worth assessing for a case: the year's pool (any status) and the
    specialists of its business system, or just ``only``."""
    if only is not None:
        ids: Sequence[uuid.UUID] = [only]
    else:
        pool = select(PoolMembership.lawyer_id).where(PoolMembership.year == year)
        specialists = select(LawyerSpecialty.lawyer_id).where(
            LawyerSpecialty.business_system == (business_system or "")
        )
        ids = list((await session.execute(union(pool, specialists))).scalars())
    if not ids:
        return []
    rows = (
        await session.execute(
            select(Lawyer, Agency.region_code)
            .join(Agency, Agency.id == Lawyer.agency_id)
            .options(selectinload(Lawyer.specialties))
            .where(Lawyer.id.in_(ids), Lawyer.active.is_(True))
        )
    ).all()
    ids = [lawyer.id for lawyer, _ in rows]
    approved = set(
        (
            await session.execute(
                select(PoolMembership.lawyer_id).where(
                    PoolMembership.year == year,
                    PoolMembership.status == "approved",
                    PoolMembership.lawyer_id.in_(ids),
                )
            )
        ).scalars()
    )
    open_counts = await open_assignment_counts(session, ids)
    last_offers = {
        lawyer_id: offered_at
        for lawyer_id, offered_at in await session.execute(
            select(Assignment.lawyer_id, func.max(Assignment.offered_at))
            .where(Assignment.lawyer_id.in_(ids))
            .group_by(Assignment.lawyer_id)
        )
    }
    on_case: dict[uuid.UUID, list[str]] = {}
    for lawyer_id, status in (
        await session.execute(
            select(Assignment.lawyer_id, Assignment.status).where(Assignment.case_id == case_id)
        )
    ).all():
        on_case.setdefault(lawyer_id, []).append(status)
    away = set(
        (
            await session.execute(
                select(LawyerUnavailability.lawyer_id).where(
                    LawyerUnavailability.lawyer_id.in_(ids),
                    LawyerUnavailability.from_date <= today,
                    LawyerUnavailability.to_date >= today,
                )
            )
        ).scalars()
    )
    return [
        CandidateRow(
            lawyer=lawyer,
            region_code=region_code,
            in_pool=lawyer.id in approved,
            open_assignments=open_counts.get(lawyer.id, 0),
            last_offered_at=last_offers.get(lawyer.id),
            statuses_on_case=tuple(on_case.get(lawyer.id, ())),
            unavailable_today=lawyer.id in away,
        )
        for lawyer, region_code in rows
    ]


async def open_assignment_counts(
    session: AsyncSession, lawyer_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Offered, conflict-reported or accepted assignments on cases not closed."""
    if not lawyer_ids:
        return {}
    stmt = (
        select(Assignment.lawyer_id, func.count())
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.lawyer_id.in_(lawyer_ids),
            Assignment.status.in_(OPEN_STATUSES),
            Case.status != "closed",
        )
        .group_by(Assignment.lawyer_id)
    )
    return {lawyer_id: int(n) for lawyer_id, n in (await session.execute(stmt)).all()}


async def lock_lawyer(session: AsyncSession, lawyer_id: uuid.UUID) -> None:
    """Serialise offers to one lawyer, so that their capacity is counted by one dispatch at a
    time (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already serialises writers)."""
    await session.execute(select(Lawyer.id).where(Lawyer.id == lawyer_id).with_for_update())


async def respondent_region(session: AsyncSession, agency_id: uuid.UUID) -> str:
    stmt = select(Agency.region_code).where(Agency.id == agency_id)
    return str((await session.execute(stmt)).scalar_one())
