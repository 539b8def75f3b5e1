"""Queries on policy versions."""

from __future__ import annotations

from datetime import date

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


# On PostgreSQL, with the calendar's fingerprint: nearly every request that needs the rules
# counts a deadline too, and this saves it a round trip (app/db/repositories/calendar.py).
_STARTED_SQL = f"""
    SELECT p.*, ARRAY(
        SELECT ROW(year, revision) FROM ({calendar_repo.FINGERPRINT_SQL}) AS stored
    ) AS calendar_fingerprint
    FROM policy_versions p WHERE effective_from <= $1
    ORDER BY effective_from DESC LIMIT 1
"""  # noqa: S608 (a constant of ours)


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
