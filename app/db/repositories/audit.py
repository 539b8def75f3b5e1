"""Queries on the audit chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import column_values
from app.db.fast_insert import insert_rows
from app.db.models import AuditRecord

# Any fixed 64-bit number: the key of the transaction-scoped advisory lock that serialises
# appends to the chain on PostgreSQL. (SQLite's BEGIN IMMEDIATE already serialises writers.)
_CHAIN_LOCK_KEY = 0x4144525F41554454  # "ADR_AUDT"


async def insert(session: AsyncSession, record: AuditRecord) -> None:
    """Write a record at once (``session.add`` would leave it to the ORM's flush, which
    costs the intake's hot path about half a millisecond more)."""
    await insert_rows(session, AuditRecord, [column_values(record)])


async def lock_chain(session: AsyncSession, *, wait: bool) -> bool:
    """The sealer's lock: one sealer extends the chain at a time. Without ``wait``, False
    when another holds it (it is sealing the same records right now)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    if wait:
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
        return True
    stmt = text("SELECT pg_try_advisory_xact_lock(:key)")
    return bool((await session.execute(stmt, {"key": _CHAIN_LOCK_KEY})).scalar_one())


async def last_sealed(session: AsyncSession) -> AuditRecord | None:
    stmt = (
        select(AuditRecord)
        .where(AuditRecord.seq.is_not(None))
        .order_by(AuditRecord.seq.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def unsealed(session: AsyncSession, *, limit: int) -> list[AuditRecord]:
    stmt = (
        select(AuditRecord)
        .where(AuditRecord.hash.is_(None))
        .order_by(AuditRecord.serial)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def iterate(session: AsyncSession, *, batch: int = 1000) -> AsyncIterator[AuditRecord]:
    """Every record in chain order, read in keyset batches so memory stays flat."""
    after = 0
    while True:
        stmt = (
            select(AuditRecord)
            .where(AuditRecord.seq.is_not(None), AuditRecord.seq > after)
            .order_by(AuditRecord.seq)
        )
        rows = list((await session.execute(stmt.limit(batch))).scalars())
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1].seq or 0
        session.expunge_all()


async def list_page(
    session: AsyncSession,
    *,
    before_seq: int | None,
    limit: int,
    actor_sub: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: str | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
) -> list[AuditRecord]:
    """Newest first (sealed records: the API seals before it lists); the cursor is the last
    seq seen."""
    stmt = (
        select(AuditRecord)
        .where(AuditRecord.seq.is_not(None))
        .order_by(AuditRecord.seq.desc())
        .limit(limit)
    )
    filters = {
        AuditRecord.actor_sub: actor_sub,
        AuditRecord.action: action,
        AuditRecord.object_type: object_type,
        AuditRecord.object_id: object_id,
        AuditRecord.outcome: outcome,
    }
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if before_seq is not None:
        stmt = stmt.where(AuditRecord.seq < before_seq)
    if occurred_from is not None:
        stmt = stmt.where(AuditRecord.occurred_at >= occurred_from)
    if occurred_to is not None:
        stmt = stmt.where(AuditRecord.occurred_at < occurred_to)
    return list((await session.execute(stmt)).scalars())
