"""The working-day calendar the service counts with (SPEC 2.5): read from the database and
cached per process; a year loaded by an admin replaces that year's row.

The cache: each process keeps the last calendar it built together with its *fingerprint*,
the stored (year, revision) pairs. A transaction that counts a deadline reads the
fingerprint (one short query, a few rows) and rebuilds only when it differs, so a year
loaded through any process is used by every process from its next transaction on, with no
timer and no message between processes (docs/decisions.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import CalendarYear
from app.db.repositories import calendar as repo
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.calendar.rules import calendar_errors
from app.domain.calendar.schemas import CalendarYearIn
from app.domain.common.workdays import (
    CalendarYearData,
    WorkdayCalendar,
    notice_of,
    seed_years,
)
from app.errors import NotFound, ValidationFailed

_SESSION_KEY = "workday_calendar"


@dataclass(frozen=True)
class _Cached:
    fingerprint: tuple[tuple[int, str], ...]
    calendar: WorkdayCalendar


_cache: _Cached | None = None


async def current_calendar(session: AsyncSession) -> WorkdayCalendar:
    """The calendar as the database holds it now (once per transaction)."""
    global _cache
    memo: WorkdayCalendar | None = session.info.get(_SESSION_KEY)
    if memo is not None:
        return memo
    fingerprint = await repo.fingerprint(session)
    cached = _cache
    if cached is None or cached.fingerprint != fingerprint:
        rows = await repo.all_years(session)
        cached = _Cached(
            tuple((row.year, row.revision) for row in rows),
            WorkdayCalendar.from_years(_year_data(row) for row in rows),
        )
        _cache = cached
    session.info[_SESSION_KEY] = cached.calendar
    return cached.calendar


def _year_data(row: CalendarYear) -> CalendarYearData:
    return CalendarYearData(
        row.year,
        tuple(date.fromisoformat(d) for d in row.holidays),
        tuple(date.fromisoformat(d) for d in row.working_weekends),
    )


async def get_year(session: AsyncSession, year: int) -> CalendarYear:
    row = await repo.get_year(session, year)
    if row is None:
        raise NotFound(
            f"no calendar is loaded for {year}: its deadlines count weekends only and are "
            "shown as provisional",
            code="calendar_year_not_loaded",
        )
    return row


async def load_year(
    session: AsyncSession, *, actor: Actor, year: int, data: CalendarYearIn
) -> tuple[CalendarYear, bool]:
    """Store a year's official calendar (replacing what was stored); returns the row and
    whether it is new. The open cases' stored due dates are recomputed afterwards by
    :func:`app.domain.cases.deadline_refresh.recompute_open_cases`."""
    errors = calendar_errors(year, data.holidays, data.working_weekends)
    if errors:
        raise ValidationFailed(f"the calendar of {year} has invalid dates", errors=errors)
    row = await repo.get_year(session, year, for_update=True)
    created = row is None
    before = None if row is None else {"holidays": row.holidays, "working": row.working_weekends}
    if row is None:
        row = CalendarYear(year=year)
        session.add(row)
    row.holidays = sorted(d.isoformat() for d in data.holidays)
    row.working_weekends = sorted(d.isoformat() for d in data.working_weekends)
    row.source = data.source
    row.revision = uuid.uuid4().hex
    row.updated_at = now_utc()
    row.updated_by = actor.sub
    await session.flush()
    session.info.pop(_SESSION_KEY, None)
    repo.forget_prefetched_fingerprint(session)
    audit.record(
        session,
        actor=actor,
        action="calendar.load_year",
        object_type="calendar_year",
        object_id=str(year),
        changes={
            "year": year,
            "holidays": row.holidays,
            "working_weekends": row.working_weekends,
            "source": row.source,
            "replaced": before,
        },
    )
    return row, created


async def seed_calendar(session: AsyncSession) -> int:
    """Insert the seed years (2022–2026) that are missing; a stored year is left alone (an
    admin may have corrected it). Returns how many were added."""
    present = {year for year, _ in await repo.fingerprint(session)}
    added = 0
    for entry in seed_years():
        if entry.year in present:
            continue
        session.add(
            CalendarYear(
                year=entry.year,
                holidays=[d.isoformat() for d in entry.holidays],
                working_weekends=[d.isoformat() for d in entry.working_weekends],
                source=notice_of(entry.year),
                revision=uuid.uuid4().hex,
                updated_at=now_utc(),
                updated_by="seed",
            )
        )
        added += 1
    await session.flush()
    session.info.pop(_SESSION_KEY, None)
    repo.forget_prefetched_fingerprint(session)
    return added
