"""Queries on policy versions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import PolicyVersion

# Built once: constructing a statement costs more than running it (docs/performance.md),
# and every request that applies a rule asks this.
_COVERING = (
    select(PolicyVersion)
    .where(
        PolicyVersion.effective_from <= bindparam("on"),
        or_(PolicyVersion.effective_to.is_(None), PolicyVersion.effective_to >= bindparam("on")),
    )
    .order_by(PolicyVersion.effective_from.desc())
    .limit(1)
)


async def covering(session: AsyncSession, on: date) -> PolicyVersion | None:
    return (await session.execute(_COVERING, {"on": on})).scalar_one_or_none()


async def latest(session: AsyncSession, *, for_update: bool = False) -> PolicyVersion | None:
    stmt = select(PolicyVersion).order_by(PolicyVersion.effective_from.desc()).limit(1)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def all_versions(session: AsyncSession) -> list[PolicyVersion]:
    stmt = select(PolicyVersion).order_by(PolicyVersion.effective_from)
    return list((await session.execute(stmt)).scalars())


async def exists_from(session: AsyncSession, effective_from: date) -> bool:
    stmt = select(PolicyVersion.id).where(PolicyVersion.effective_from == effective_from)
    return (await session.execute(stmt)).first() is not None
