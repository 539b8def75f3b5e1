"""The facts dispatch decides on: who could take a case, and how busy they are."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Agency,
    Assignment,
    Case,
    Lawyer,
    LawyerSpecialty,
    LawyerUnavailability,
    PoolMembership,
)
from app.states.assignment import OPEN_STATUSES
from app.states.codes import CaseStatus, MembershipStatus


@dataclass(frozen=True)
class CandidateRow:
    lawyer_id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    certificate_status: str
    specialties: frozenset[str]
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
    specialists of its business system, or just ``only``. Plain rows, not ORM objects: a
    pool has about a hundred lawyers and every dispatch reads all of them."""
    if only is not None:
        wanted: Any = select(Lawyer.id).where(Lawyer.id == only)
    else:
        wanted = union(
            select(PoolMembership.lawyer_id).where(PoolMembership.year == year),
            select(LawyerSpecialty.lawyer_id).where(
                LawyerSpecialty.business_system == (business_system or "")
            ),
        )
    wanted_ids = select(wanted.subquery().c[0])
    connection = await session.connection()
    # One statement for the lawyers and their counts (correlated subqueries on indexed
    # columns), then their specialties and their history on this case.
    rows = (
        await connection.execute(
            select(
                Lawyer.id,
                Lawyer.name,
                Lawyer.agency_id,
                Lawyer.certificate_status,
                Agency.region_code,
                _count(
                    PoolMembership.lawyer_id == Lawyer.id,
                    PoolMembership.year == year,
                    PoolMembership.status == MembershipStatus.APPROVED,
                ).label("approved"),
                select(func.max(Assignment.offered_at))
                .where(Assignment.lawyer_id == Lawyer.id)
                .scalar_subquery()
                .label("last_offered_at"),
                _count(
                    Assignment.lawyer_id == Lawyer.id,
                    Assignment.status.in_(OPEN_STATUSES),
                    Case.id == Assignment.case_id,
                    Case.status != CaseStatus.CLOSED,
                ).label("open_assignments"),
                _count(
                    LawyerUnavailability.lawyer_id == Lawyer.id,
                    LawyerUnavailability.from_date <= today,
                    LawyerUnavailability.to_date >= today,
                ).label("away"),
            )
            .join(Agency, Agency.id == Lawyer.agency_id)
            .where(Lawyer.id.in_(wanted_ids), Lawyer.active.is_(True))
        )
    ).all()
    specialties: dict[uuid.UUID, set[str]] = {}
    for lawyer_id, system in await connection.execute(
        select(LawyerSpecialty.lawyer_id, LawyerSpecialty.business_system).where(
            LawyerSpecialty.lawyer_id.in_(wanted_ids)
        )
    ):
        specialties.setdefault(lawyer_id, set()).add(system)
    on_case: dict[uuid.UUID, list[str]] = {}
    for lawyer_id, status in await connection.execute(
        select(Assignment.lawyer_id, Assignment.status).where(Assignment.case_id == case_id)
    ):
        on_case.setdefault(lawyer_id, []).append(status)
    return [
        CandidateRow(
            lawyer_id=row.id,
            name=row.name,
            agency_id=row.agency_id,
            certificate_status=row.certificate_status,
            specialties=frozenset(specialties.get(row.id, ())),
            region_code=row.region_code,
            in_pool=row.approved > 0,
            open_assignments=row.open_assignments,
            last_offered_at=row.last_offered_at,
            statuses_on_case=tuple(on_case.get(row.id, ())),
            unavailable_today=row.away > 0,
        )
        for row in rows
    ]


def _count(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).where(*conditions).scalar_subquery()


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
            Case.status != CaseStatus.CLOSED,
        )
        .group_by(Assignment.lawyer_id)
    )
    return {lawyer_id: int(n) for lawyer_id, n in (await session.execute(stmt)).all()}


async def lock_lawyer(session: AsyncSession, lawyer_id: uuid.UUID, *, wait: bool = True) -> bool:
    """Serialise offers to one lawyer, so that their capacity is counted by one dispatch at a
    time (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already serialises writers). Without
    ``wait``, False at once when a parallel dispatch holds the lawyer."""
    stmt = select(Lawyer.id).where(Lawyer.id == lawyer_id).with_for_update(skip_locked=not wait)
    return (await session.execute(stmt)).first() is not None


async def respondent_region(session: AsyncSession, agency_id: uuid.UUID) -> str:
    stmt = select(Agency.region_code).where(Agency.id == agency_id)
    return str((await session.execute(stmt)).scalar_one())
