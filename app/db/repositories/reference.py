"""Queries on business systems and agencies."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Agency, BusinessSystem


async def all_business_systems(session: AsyncSession) -> list[BusinessSystem]:
    stmt = select(BusinessSystem).order_by(BusinessSystem.sort_order, BusinessSystem.code)
    return list((await session.execute(stmt)).scalars())


async def business_systems_by_code(session: AsyncSession) -> dict[str, BusinessSystem]:
    return {bs.code: bs for bs in await all_business_systems(session)}


async def agencies_by_seed_key(session: AsyncSession) -> dict[str, Agency]:
    stmt = select(Agency).where(Agency.seed_key.is_not(None))
    return {a.seed_key: a for a in (await session.execute(stmt)).scalars() if a.seed_key}


async def get_agency(session: AsyncSession, agency_id: uuid.UUID) -> Agency | None:
    return await session.get(Agency, agency_id)
