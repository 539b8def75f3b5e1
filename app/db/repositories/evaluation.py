"""Queries on evaluation rounds and honours (SPEC 2.14)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Evaluation, Honour, Lawyer
from app.db.repositories.paging import Key, KeysetPage, read_page
from app.states.codes import HonourKind


@dataclass(frozen=True)
class HonourFilters:
    lawyer_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    year: int | None = None
    kind: HonourKind | None = None


async def get(
    session: AsyncSession, evaluation_id: uuid.UUID, *, for_update: bool = False
) -> Evaluation | None:
    stmt = select(Evaluation).where(Evaluation.id == evaluation_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_page(
    session: AsyncSession, *, year: int | None, after: Key | None, limit: int
) -> KeysetPage[Evaluation]:
    stmt = select(Evaluation)
    if year is not None:
        stmt = stmt.where(Evaluation.year == year)
    return await read_page(session, stmt, (Evaluation.id,), after=after, limit=limit)


async def honour_of(
    session: AsyncSession, *, evaluation_id: uuid.UUID, kind: HonourKind, subject_id: uuid.UUID
) -> Honour | None:
    stmt = select(Honour).where(
        Honour.evaluation_id == evaluation_id, Honour.kind == kind, Honour.subject_id == subject_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def honours_page(
    session: AsyncSession, *, filters: HonourFilters, after: Key | None, limit: int
) -> KeysetPage[Honour]:
    stmt = select(Honour)
    for column, value in (
        (Honour.lawyer_id, filters.lawyer_id),
        (Honour.agency_id, filters.agency_id),
        (Honour.year, filters.year),
        (Honour.kind, filters.kind),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return await read_page(session, stmt, (Honour.id,), after=after, limit=limit)


def _repeat_honourees(threshold: int) -> Select[uuid.UUID | None]:
    return (
        select(Honour.lawyer_id)
        .where(Honour.kind == HonourKind.ADVANCED_INDIVIDUAL, Honour.lawyer_id.is_not(None))
        .group_by(Honour.lawyer_id)
        .having(func.count(Honour.year.distinct()) >= threshold)
    )


def is_repeat_honouree(threshold: int) -> ColumnElement[bool]:
    """A lawyer honoured as an advanced individual in at least ``threshold`` different years."""
    return Lawyer.id.in_(_repeat_honourees(threshold))


async def repeat_honourees(
    session: AsyncSession, lawyer_ids: list[uuid.UUID], *, threshold: int
) -> set[uuid.UUID]:
    if not lawyer_ids:
        return set()
    stmt = _repeat_honourees(threshold).where(Honour.lawyer_id.in_(lawyer_ids))
    return {lawyer_id for lawyer_id in (await session.execute(stmt)).scalars() if lawyer_id}
