"""Queries on pool memberships."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Agency, Lawyer, PoolMembership
from app.db.repositories.paging import Key, KeysetPage, read_page
from app.states.codes import MembershipStatus
from app.states.membership import LIVE_STATUSES


async def get(
    session: AsyncSession, membership_id: uuid.UUID, *, for_update: bool = False
) -> PoolMembership | None:
    stmt = select(PoolMembership).where(PoolMembership.id == membership_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def live_count(session: AsyncSession, *, agency_id: uuid.UUID, year: int) -> int:
    stmt = select(func.count()).where(
        PoolMembership.agency_id == agency_id,
        PoolMembership.year == year,
        PoolMembership.status.in_(LIVE_STATUSES),
    )
    return int((await session.execute(stmt)).scalar_one())


async def live_for_lawyer(
    session: AsyncSession, *, lawyer_id: uuid.UUID, year: int | None = None
) -> list[PoolMembership]:
    stmt = select(PoolMembership).where(
        PoolMembership.lawyer_id == lawyer_id, PoolMembership.status.in_(LIVE_STATUSES)
    )
    if year is not None:
        stmt = stmt.where(PoolMembership.year == year)
    stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


async def approved_in_year(
    session: AsyncSession, *, year: int, agency_id: uuid.UUID | None
) -> list[PoolMembership]:
    stmt = (
        select(PoolMembership)
        .where(PoolMembership.year == year, PoolMembership.status == MembershipStatus.APPROVED)
        .order_by(PoolMembership.agency_id, PoolMembership.nominated_at, PoolMembership.id)
    )
    if agency_id is not None:
        stmt = stmt.where(PoolMembership.agency_id == agency_id)
    return list((await session.execute(stmt)).scalars())


async def list_page(
    session: AsyncSession,
    *,
    after: Key | None,
    limit: int,
    year: int | None = None,
    agency_id: uuid.UUID | None = None,
    status: str | None = None,
    lawyer_id: uuid.UUID | None = None,
) -> KeysetPage[PoolMembership]:
    stmt = select(PoolMembership)
    for column, value in (
        (PoolMembership.year, year),
        (PoolMembership.agency_id, agency_id),
        (PoolMembership.status, status),
        (PoolMembership.lawyer_id, lawyer_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return await read_page(session, stmt, (PoolMembership.id,), after=after, limit=limit)


async def compliance_counts(
    session: AsyncSession,
    *,
    year: int,
    kinds: Iterable[str],
    agency_id: uuid.UUID | None = None,
) -> list[tuple[Agency, int, int]]:
    """Every active agency of ``kinds`` that has public lawyers (an active lawyer registered
    with it) with its approved and nominated counts for the year (agencies with no
    membership included), in name order."""
    approved = func.count(PoolMembership.id).filter(
        PoolMembership.status == MembershipStatus.APPROVED
    )
    nominated = func.count(PoolMembership.id).filter(
        PoolMembership.status == MembershipStatus.NOMINATED
    )
    stmt = (
        select(Agency, approved, nominated)
        .outerjoin(
            PoolMembership,
            (PoolMembership.agency_id == Agency.id) & (PoolMembership.year == year),
        )
        .where(
            Agency.kind.in_(list(kinds)),
            Agency.active.is_(True),
            exists().where(Lawyer.agency_id == Agency.id, Lawyer.active.is_(True)),
        )
        .group_by(Agency.id)
        .order_by(Agency.name)
    )
    if agency_id is not None:
        stmt = stmt.where(Agency.id == agency_id)
    return [(a, int(n_app), int(n_nom)) for a, n_app, n_nom in (await session.execute(stmt)).all()]
