"""Queries on policy versions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import PolicyVersion


async def covering(session: AsyncSession, on: date) -> PolicyVersion | None:
    stmt = (
        select(PolicyVersion)
        .where(
            PolicyVersion.effective_from <= on,
            or_(PolicyVersion.effective_to.is_(None), PolicyVersion.effective_to >= on),
        )
        .order_by(PolicyVersion.effective_from.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


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
