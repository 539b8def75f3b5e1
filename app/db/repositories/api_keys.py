"""Queries on API keys."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import ApiKey
from app.db.repositories.paging import Key, KeysetPage, read_page


async def find_active_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    stmt = select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, key_id: uuid.UUID) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_page(session: AsyncSession, *, after: Key | None, limit: int) -> KeysetPage[ApiKey]:
    return await read_page(session, select(ApiKey), (ApiKey.id,), after=after, limit=limit)


def add(session: AsyncSession, api_key: ApiKey) -> None:
    session.add(api_key)
