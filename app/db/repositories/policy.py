"""Queries on policy versions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import fast_read
from app.db.models import PolicyVersion
from app.db.repositories import calendar as calendar_repo

# Built once: constructing a statement costs more than running it (docs/performance.md),
# and every request that applies a rule asks this.
_STARTED = (
    select(PolicyVersion)
    .where(PolicyVersion.effective_from <= bindparam("on"))
    .order_by(PolicyVersion.effective_from.desc())
    .limit(1)
)


# The calendar's fingerprint as a column of another statement: nearly every request that
# needs the rules counts a deadline too, and this saves it a round trip
# (app/db/repositories/calendar.py).
FINGERPRINT_COLUMN = f"""ARRAY(
            SELECT ROW(year, revision) FROM ({calendar_repo.FINGERPRINT_SQL}) AS stored
        )"""  # noqa: S608 (a constant of ours)

_STARTED_SQL = f"""
    SELECT p.*, {FINGERPRINT_COLUMN} AS calendar_fingerprint
    FROM policy_versions p WHERE effective_from <= $1
    ORDER BY effective_from DESC LIMIT 1
"""  # noqa: S608 (a constant of ours)


def started_lateral(on: str) -> str:
    """A join that brings ``latest_started``'s version (on the date parameter ``on``, e.g.
    ``"$2"``) into another statement as the record ``policy.p``, NULL when none has started
    yet. Select it ``AS policy_row`` with ``FINGERPRINT_COLUMN AS calendar_fingerprint``
    and hand the row to ``read_along``."""
    return f"""LEFT JOIN LATERAL (
        SELECT p FROM policy_versions p WHERE p.effective_from <= {on}
        ORDER BY p.effective_from DESC LIMIT 1
    ) AS policy ON true"""  # noqa: S608 (a parameter's placeholder)


def read_along(session: AsyncSession, row: Mapping[str, Any]) -> PolicyVersion | None:
    """The version another statement read along (``started_lateral``), its calendar
    fingerprint kept for the transaction; None when it read none."""
    if row["policy_row"] is None:
        return None
    calendar_repo.keep_prefetched_fingerprint(session, row["calendar_fingerprint"])
    return fast_read.loaded(PolicyVersion, row["policy_row"])


async def latest_started(session: AsyncSession, on: date) -> PolicyVersion | None:
    """The version that took effect last on or before ``on``: the one covering it, if any
    does (versions never overlap), else the one that ended before it. For reading (on
    PostgreSQL it is not in the session: see ``fast_read``)."""
    rows = await fast_read.fetch(session, _STARTED_SQL, on)
    if rows is not None:
        if not rows:
            return None
        calendar_repo.keep_prefetched_fingerprint(session, rows[0]["calendar_fingerprint"])
        return fast_read.loaded(PolicyVersion, rows[0])
    return (await session.execute(_STARTED, {"on": on})).scalar_one_or_none()


async def earliest(session: AsyncSession) -> PolicyVersion | None:
    stmt = select(PolicyVersion).order_by(PolicyVersion.effective_from).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def has_successor(session: AsyncSession, version: PolicyVersion) -> bool:
    stmt = select(PolicyVersion.id).where(PolicyVersion.effective_from > version.effective_from)
    return (await session.execute(stmt.limit(1))).first() is not None


async def latest(session: AsyncSession, *, for_update: bool = False) -> PolicyVersion | None:
    stmt = select(PolicyVersion).order_by(PolicyVersion.effective_from.desc()).limit(1)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def exists_from(session: AsyncSession, effective_from: date) -> bool:
    stmt = select(PolicyVersion.id).where(PolicyVersion.effective_from == effective_from)
    return (await session.execute(stmt)).first() is not None
