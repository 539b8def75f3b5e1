"""The facts dispatch decides on: who could take a case, and how busy they are."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Table,
    delete,
    func,
    select,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Agency,
    Assignment,
    Lawyer,
    LawyerOpenChange,
    LawyerSpecialty,
    LawyerUnavailability,
    PoolMembership,
)
from app.states.codes import MembershipStatus


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
    # columns; the open assignments are the count kept with the lawyer, see
    # ``open_assignments_now``), then their specialties and their history on this case.
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
                open_assignments_now().label("open_assignments"),
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


def open_assignments_now() -> ColumnElement[int]:
    """A lawyer's open assignments (offered, conflict_reported or accepted, on cases not
    closed; SPEC 2.7): the count kept on their row plus their changes not yet folded in (at
    most a few: every dispatch to the lawyer folds them). Database triggers append the changes
    in the transaction that makes them (migration a3d5f7b9c1e2), so this is always the count
    the definition gives, at a cost that does not grow with the lawyer's history."""
    pending = (
        select(func.coalesce(func.sum(LawyerOpenChange.delta), 0))
        .where(LawyerOpenChange.lawyer_id == Lawyer.id)
        .scalar_subquery()
    )
    return Lawyer.open_assignments + pending


async def open_assignments_locked(session: AsyncSession, lawyer_id: uuid.UUID) -> int:
    """The lawyer's open assignments, for the capacity check of a dispatch that holds the
    lawyer's lock (``lock_lawyer``): their pending changes are folded into the count on their
    row, in this transaction. Changes other transactions append meanwhile are not visible
    and stay pending; only a holder of the lock folds, so no change is folded twice."""
    connection = await session.connection()
    # Core on the tables: the ORM's bulk delete and update would look after the session's
    # objects, which never hold these columns' current values anyway.
    changes = cast(Table, LawyerOpenChange.__table__)
    lawyers = cast(Table, Lawyer.__table__)
    gone = delete(changes).where(changes.c.lawyer_id == lawyer_id).returning(changes.c.delta)
    if connection.dialect.name == "postgresql":
        # One round trip: the delete and the update as one statement.
        folded = gone.cte("folded")
        delta: Any = select(func.coalesce(func.sum(folded.c.delta), 0)).scalar_subquery()
    else:
        delta = sum((await connection.execute(gone)).scalars())
    stmt = (
        update(lawyers)
        .where(lawyers.c.id == lawyer_id)
        # Folding is bookkeeping, not a change of the lawyer's record: updated_at stays.
        .values(
            open_assignments=lawyers.c.open_assignments + delta,
            updated_at=lawyers.c.updated_at,
        )
        .returning(lawyers.c.open_assignments)
    )
    return int((await connection.execute(stmt)).scalar_one())


async def lock_lawyer(session: AsyncSession, lawyer_id: uuid.UUID, *, wait: bool = True) -> bool:
    """Serialise offers to one lawyer, so that their capacity is counted by one dispatch at a
    time (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already serialises writers). Without
    ``wait``, False at once when a parallel dispatch holds the lawyer."""
    stmt = select(Lawyer.id).where(Lawyer.id == lawyer_id).with_for_update(skip_locked=not wait)
    return (await session.execute(stmt)).first() is not None


async def respondent_region(session: AsyncSession, agency_id: uuid.UUID) -> str:
    stmt = select(Agency.region_code).where(Agency.id == agency_id)
    return str((await session.execute(stmt)).scalar_one())
