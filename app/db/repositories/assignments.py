"""Queries on assignments."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Assignment, Lawyer
from app.db.repositories.paging import Key, KeysetPage, read_page
from app.states.assignment import LIVE_OFFER_STATUSES, OPEN_STATUSES
from app.states.codes import AssignmentStatus

# A lawyer may read the cases they were offered, are working on, or completed; a declined,
# expired or withdrawn offer gives no lasting access to the file.
_HOLDING = (*OPEN_STATUSES, AssignmentStatus.COMPLETED)


def case_ids_of_lawyer(lawyer_id: uuid.UUID) -> Select[uuid.UUID]:
    """The cases a lawyer holds (or held) an assignment on: what a lawyer may read."""
    return select(Assignment.case_id).where(
        Assignment.lawyer_id == lawyer_id, Assignment.status.in_(_HOLDING)
    )


async def lawyer_holds_assignment(
    session: AsyncSession, *, case_id: uuid.UUID, lawyer_id: uuid.UUID
) -> bool:
    stmt = select(Assignment.id).where(
        Assignment.case_id == case_id,
        Assignment.lawyer_id == lawyer_id,
        Assignment.status.in_(_HOLDING),
    )
    return (await session.execute(stmt.limit(1))).first() is not None


async def get(
    session: AsyncSession, assignment_id: uuid.UUID, *, for_update: bool = False
) -> Assignment | None:
    stmt = select(Assignment).where(Assignment.id == assignment_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_case(
    session: AsyncSession, case_id: uuid.UUID, *, statuses: Sequence[str] | None = None
) -> list[Assignment]:
    stmt = select(Assignment).where(Assignment.case_id == case_id)
    if statuses is not None:
        stmt = stmt.where(Assignment.status.in_(statuses))
    return list((await session.execute(stmt.order_by(Assignment.offered_at))).scalars())


async def overdue_offers(
    session: AsyncSession, *, now: datetime, limit: int, case_id: uuid.UUID | None = None
) -> list[Assignment]:
    """Offers past their answer time (not locked: the caller locks each case, then the
    offer, in the service's lock order, and checks again)."""
    params: dict[str, Any] = {"now": now, "limit": limit, "case_id": case_id}
    stmt = _overdue_offers(case_id is not None)
    return list((await session.execute(stmt, params)).scalars())


@functools.cache
def _overdue_offers(of_one_case: bool) -> Select[Assignment]:
    """Built once per shape: every dispatch asks about its case, and building the statement
    cost more than running it (docs/performance.md)."""
    stmt = (
        select(Assignment)
        .where(
            Assignment.status.in_(LIVE_OFFER_STATUSES),
            Assignment.respond_by < bindparam("now"),
        )
        .order_by(Assignment.respond_by)
        .limit(bindparam("limit"))
    )
    if of_one_case:
        stmt = stmt.where(Assignment.case_id == bindparam("case_id"))
    return stmt


async def list_page(
    session: AsyncSession,
    *,
    after: Key | None,
    limit: int,
    lawyer_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    status: str | None = None,
    agency_id: uuid.UUID | None = None,
    needs_reassignment: bool | None = None,
) -> KeysetPage[Assignment]:
    stmt = select(Assignment)
    if needs_reassignment is not None:
        stmt = stmt.where(Assignment.needs_reassignment.is_(needs_reassignment))
    for column, value in (
        (Assignment.lawyer_id, lawyer_id),
        (Assignment.case_id, case_id),
        (Assignment.status, status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if agency_id is not None:
        stmt = stmt.where(
            Assignment.lawyer_id.in_(select(Lawyer.id).where(Lawyer.agency_id == agency_id))
        )
    return await read_page(session, stmt, (Assignment.id,), after=after, limit=limit)


async def of_lawyer(
    session: AsyncSession, lawyer_id: uuid.UUID, *, statuses: Sequence[str]
) -> list[Assignment]:
    """A lawyer's assignments in ``statuses`` (not locked: callers lock case, then
    assignment, and check again)."""
    stmt = (
        select(Assignment)
        .where(Assignment.lawyer_id == lawyer_id, Assignment.status.in_(statuses))
        .order_by(Assignment.offered_at)
    )
    return list((await session.execute(stmt)).scalars())
