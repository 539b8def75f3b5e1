"""Queries on idempotency keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import IdempotencyKey


@dataclass(frozen=True)
class KeyRow:
    """A key's row (``IdempotencyKey``'s columns) whose ``response_body`` holds ``marker``
    where a number goes that the statement writing it gives (the intake's numbering
    statement: app/db/repositories/case_intake.py)."""

    values: dict[str, Any]
    marker: str


async def try_lock(session: AsyncSession, caller: str, key: str) -> bool:
    """Take the key's transaction lock without waiting; False when another request holds it
    (the same key is still being processed). SQLite serialises writers anyway: True."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    stmt = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))")
    return bool((await session.execute(stmt, {"k": f"{caller}|{key}"})).scalar_one())


async def find(session: AsyncSession, caller: str, key: str) -> IdempotencyKey | None:
    stmt = select(IdempotencyKey).where(IdempotencyKey.caller == caller, IdempotencyKey.key == key)
    return (await session.execute(stmt)).scalar_one_or_none()


async def remove(session: AsyncSession, row: IdempotencyKey) -> None:
    await session.delete(row)
    await session.flush()


async def delete_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)


async def add(session: AsyncSession, row: IdempotencyKey) -> None:
    session.add(row)
    await session.flush()
