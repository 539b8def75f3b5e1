"""Queries on the working-day calendar and the stored due dates it feeds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import fast_read
from app.db.models import CalendarYear, Case
from app.states.codes import CaseStatus

# Built once: every transaction that counts a deadline asks it (docs/decisions.md).
_FINGERPRINT = select(CalendarYear.year, CalendarYear.revision).order_by(CalendarYear.year)


async def fingerprint(session: AsyncSession) -> tuple[tuple[int, str], ...]:
    """Which years are stored, and in which revision: a few short rows, read to decide
    whether a process's cached calendar is still the database's."""
    prefetched = session.info.pop(_PREFETCHED, None)
    if prefetched is not None:
        return cast(tuple[tuple[int, str], ...], prefetched)
    rows = await fast_read.fetch(session, FINGERPRINT_SQL)
    if rows is None:
        rows = list((await (await session.connection()).execute(_FINGERPRINT)).all())
    return tuple((int(y), str(r)) for y, r in rows)


# On PostgreSQL the policy's read brings the fingerprint along (one round trip fewer on
# every request that needs both: app/db/repositories/policy.py); it is kept here until the
# calendar asks, and forgotten when the transaction loads a year.
FINGERPRINT_SQL = "SELECT year, revision FROM calendar_years ORDER BY year"
_PREFETCHED = "calendar_fingerprint"


def keep_prefetched_fingerprint(session: AsyncSession, rows: Sequence[Any]) -> None:
    session.info[_PREFETCHED] = tuple((int(y), str(r)) for y, r in rows)


def forget_prefetched_fingerprint(session: AsyncSession) -> None:
    session.info.pop(_PREFETCHED, None)


async def all_years(session: AsyncSession) -> list[CalendarYear]:
    stmt = select(CalendarYear).order_by(CalendarYear.year)
    return list((await session.execute(stmt)).scalars())


async def get_year(
    session: AsyncSession, year: int, *, for_update: bool = False
) -> CalendarYear | None:
    stmt = select(CalendarYear).where(CalendarYear.year == year)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


# What the deadlines of a case are counted from (and the stored dates, to skip unchanged rows).
DEADLINE_COLUMNS = (
    Case.id,
    Case.act_type,
    Case.act_made_on,
    Case.act_known_on,
    Case.act_real_property,
    Case.act_remedy_notice_given,
    Case.act_applied_on,
    Case.act_performance_due_on,
    Case.act_refused,
    Case.act_reconsideration_first,
    Case.related_procedures,
    Case.deadlines_notified_at,
    Case.reconsideration_due_on,
    Case.litigation_due_on,
    Case.outer_limit_due_on,
)


async def open_cases_after(
    session: AsyncSession, *, after_id: uuid.UUID | None, limit: int
) -> Sequence[Row[Any]]:
    """The next ``limit`` open cases by id (keyset), locked for this batch's short
    transaction so that a correction running at the same time cannot be overwritten with
    dates counted from its old facts."""
    stmt = (
        select(*DEADLINE_COLUMNS)
        .where(Case.status != CaseStatus.CLOSED)
        .order_by(Case.id)
        .limit(limit)
        .with_for_update(of=Case)
    )
    if after_id is not None:
        stmt = stmt.where(Case.id > after_id)
    return (await session.execute(stmt)).all()


_SET_DUE_DATES = (
    update(Case)
    .where(Case.id == bindparam("case_id"))
    .values(
        reconsideration_due_on=bindparam("recon"),
        litigation_due_on=bindparam("lit"),
        outer_limit_due_on=bindparam("outer"),
    )
)


async def set_due_dates(
    session: AsyncSession, changes: list[tuple[uuid.UUID, date | None, date | None, date | None]]
) -> None:
    """Store recomputed due dates, one executemany for the batch."""
    if not changes:
        return
    connection = await session.connection()
    await connection.execute(
        _SET_DUE_DATES,
        [{"case_id": i, "recon": r, "lit": li, "outer": o} for i, r, li, o in changes],
    )
