"""Queries on the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AuditRecord, FailedAuthenticationTally
from app.db.repositories.paging import Key, KeysetPage, read_page

# Any fixed 64-bit number: the key of the transaction-scoped advisory lock that serialises
# appends to the chain on PostgreSQL. (SQLite's BEGIN IMMEDIATE already serialises writers.)
_CHAIN_LOCK_KEY = 0x4144525F41554454  # "ADR_AUDT"


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


# The columns a record's hash covers, besides its sequence number (see record_fields).
_CHAINED = (
    AuditRecord.serial,
    AuditRecord.id,
    AuditRecord.occurred_at,
    AuditRecord.actor_sub,
    AuditRecord.actor_role,
    AuditRecord.actor_agency_id,
    AuditRecord.action,
    AuditRecord.object_type,
    AuditRecord.object_id,
    AuditRecord.outcome,
    AuditRecord.request_id,
    AuditRecord.client_address,
    AuditRecord.changes,
)


async def unsealed_rows(session: AsyncSession, *, limit: int) -> list[Row[Any]]:
    """The oldest unsealed records, as plain rows of what their hash covers."""
    stmt = (
        select(*_CHAINED)
        .where(AuditRecord.hash.is_(None))
        .order_by(AuditRecord.serial)
        .limit(limit)
    )
    return list((await session.execute(stmt)).all())


async def seal(session: AsyncSession, seals: list[dict[str, Any]]) -> None:
    """Write each record's place in the chain (by ``serial``) in one executemany."""
    await session.execute(update(AuditRecord), seals)


async def sealed_after(session: AsyncSession, *, after_seq: int, limit: int) -> list[AuditRecord]:
    """The next ``limit`` records of the chain after ``after_seq`` (a keyset batch)."""
    stmt = (
        select(AuditRecord)
        .where(AuditRecord.seq.is_not(None), AuditRecord.seq > after_seq)
        .order_by(AuditRecord.seq)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True)
class AuditFilters:
    """What a reader narrows the trail to; every field is optional."""

    actor_sub: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    outcome: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None  # exclusive


async def list_page(
    session: AsyncSession, *, filters: AuditFilters, after: Key | None, limit: int
) -> KeysetPage[AuditRecord]:
    """Newest first, by their place in the chain (sealed records only: the API seals
    before it lists)."""
    stmt = select(AuditRecord).where(AuditRecord.seq.is_not(None))
    equal_to = {
        AuditRecord.actor_sub: filters.actor_sub,
        AuditRecord.action: filters.action,
        AuditRecord.object_type: filters.object_type,
        AuditRecord.object_id: filters.object_id,
        AuditRecord.outcome: filters.outcome,
    }
    for column, value in equal_to.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.occurred_from is not None:
        stmt = stmt.where(AuditRecord.occurred_at >= filters.occurred_from)
    if filters.occurred_to is not None:
        stmt = stmt.where(AuditRecord.occurred_at < filters.occurred_to)
    return await read_page(session, stmt, (AuditRecord.seq,), after=after, limit=limit, desc=True)


async def count_failed_authentication(
    session: AsyncSession,
    *,
    client_address: str,
    minute: datetime,
    request_id: str | None,
    code: str,
    path: str,
) -> None:
    """One more failure for (address, minute): an insert, or an atomic increment when the
    row exists (``ON CONFLICT DO UPDATE``: parallel requests never lose a count)."""
    tally = cast(Table, FailedAuthenticationTally.__table__)
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(tally).values(
        client_address=client_address,
        minute=minute,
        count=1,
        first_request_id=request_id,
        last_code=code,
        last_path=path,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[tally.c.client_address, tally.c.minute],
        set_={
            "count": tally.c.count + 1,
            "last_code": stmt.excluded.last_code,
            "last_path": stmt.excluded.last_path,
        },
    )
    await session.execute(stmt)


async def take_failed_authentications(
    session: AsyncSession, *, before: datetime
) -> list[FailedAuthenticationTally]:
    """Remove and return the tallies of the minutes before ``before`` (closed minutes)."""
    tally = cast(Table, FailedAuthenticationTally.__table__)
    stmt = delete(tally).where(tally.c.minute < before).returning(*tally.c)
    rows = (await session.execute(stmt)).mappings().all()
    ordered = sorted(rows, key=lambda r: (r["minute"], r["client_address"]))
    return [FailedAuthenticationTally(**row) for row in ordered]
