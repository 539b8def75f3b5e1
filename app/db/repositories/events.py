"""Queries on the outbox of events and its feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Case, Event
from app.states.codes import CaseStatus

# Any fixed 64-bit number: the transaction-scoped advisory lock that lets one relay at a
# time number events. (SQLite's BEGIN IMMEDIATE already serialises writers.)
_RELAY_LOCK_KEY = 0x4144525F45564E54  # "ADR_EVNT"

# Numbers up to :batch committed, unnumbered events after the highest position, in
# insertion order, in one statement (PostgreSQL and SQLite >= 3.33 alike).
_NUMBER_PENDING = text(
    """
    UPDATE events SET position = numbered.base + numbered.rn
    FROM (
        SELECT serial,
               row_number() OVER (ORDER BY serial) AS rn,
               (SELECT coalesce(max(position), 0) FROM events) AS base
        FROM events
        WHERE position IS NULL
        ORDER BY serial
        LIMIT :batch
    ) AS numbered
    WHERE events.serial = numbered.serial
    """
)


async def lock_relay(session: AsyncSession, *, wait: bool) -> bool:
    """The relay's lock, held until the end of the transaction. Without ``wait``, False when
    another relay holds it (it is numbering the same events right now)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    result = await session.execute(text(f"SELECT {function}(:key)"), {"key": _RELAY_LOCK_KEY})
    return wait or bool(result.scalar_one())


async def number_pending(session: AsyncSession, *, batch: int) -> int:
    """Give the next positions to committed events that have none; returns how many."""
    result = await session.execute(_NUMBER_PENDING, {"batch": batch})
    return int(getattr(result, "rowcount", 0) or 0)


async def head(session: AsyncSession) -> int:
    """The highest position given (0 when none)."""
    value = (await session.execute(select(func.max(Event.position)))).scalar_one_or_none()
    return int(value or 0)


async def page(
    session: AsyncSession,
    *,
    after: int,
    up_to: int,
    types: Sequence[str] | None,
    limit: int,
) -> list[Event]:
    """Events with positions in (after, up_to], in position order."""
    stmt = (
        select(Event)
        .where(Event.position > after, Event.position <= up_to)
        .order_by(Event.position)
        .limit(limit)
    )
    if types:
        stmt = stmt.where(Event.type.in_(list(types)))
    return list((await session.execute(stmt)).scalars())


async def cases_entering_warning(
    session: AsyncSession, *, start: date, end: date, limit: int
) -> list[Case]:
    """Open cases with a remedy deadline within [start, end] not yet warned of, locked
    (a case another sweeper holds is skipped)."""
    in_window = or_(
        *(
            and_(column.is_not(None), column >= start, column <= end)
            for column in (
                Case.reconsideration_due_on,
                Case.litigation_due_on,
                Case.outer_limit_due_on,
            )
        )
    )
    stmt = (
        select(Case)
        .where(Case.status != CaseStatus.CLOSED, Case.deadline_warned_at.is_(None))
        .where(in_window)
        .order_by(Case.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Case)
    )
    return list((await session.execute(stmt)).scalars())
