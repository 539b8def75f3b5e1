"""Appending to, sealing and checking the audit trail (SPEC 4.4).

A record is written in the same transaction as the change it describes, with no lock, so
writes never queue behind one another for the audit trail. The sealer (every second in each
process, and before the trail is listed or verified) then chains the new records in insertion
order, under a lock of its own: seq, prev_hash, hash. Measured reason: a chain extended by
every writer under one lock held through the commit capped all writes at ~900 transactions/s
on our machine and deadlocked with the case-number row lock (docs/performance.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.models import AuditRecord
from app.db.repositories import audit as audit_repo
from app.db.session import transaction
from app.db.types import new_id, utcnow
from app.domain.audit.chain import GENESIS_HASH, record_hash
from app.domain.audit.context import current_request
from app.domain.audit.redaction import redact
from app.domain.auth.actor import Actor


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "id": str(record.id),
        "occurred_at": record.occurred_at,
        "actor_sub": record.actor_sub,
        "actor_role": record.actor_role,
        "actor_agency_id": str(record.actor_agency_id) if record.actor_agency_id else None,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "outcome": record.outcome,
        "request_id": record.request_id,
        "client_address": record.client_address,
        "changes": record.changes,
    }


class AuditFields(TypedDict, total=False):
    """What an audit record says; ``actor`` and ``action`` are required."""

    actor: Required[Actor | None]
    action: Required[str]
    object_type: str | None
    object_id: uuid.UUID | str | None
    changes: dict[str, Any] | None
    outcome: str


def record(session: AsyncSession, **fields: Unpack[AuditFields]) -> None:
    """Queue an audit record; it is written in the same transaction as the change it
    describes, or not at all."""
    session.add(_new_record(fields))


async def write(session: AsyncSession, **fields: Unpack[AuditFields]) -> None:
    """As ``record``, but written at once by a single INSERT: for hot paths, where the
    ORM's flush of the record would cost more than the INSERT."""
    await audit_repo.insert(session, _new_record(fields))


def _new_record(fields: AuditFields) -> AuditRecord:
    context = current_request()
    actor = fields["actor"]
    object_id = fields.get("object_id")
    changes = fields.get("changes")
    return AuditRecord(
        id=new_id(),
        occurred_at=utcnow(),
        actor_sub=actor.sub if actor else None,
        actor_role=actor.role.value if actor else None,
        actor_agency_id=actor.agency_id if actor else None,
        action=fields["action"],
        object_type=fields.get("object_type"),
        object_id=str(object_id) if object_id is not None else None,
        outcome=fields.get("outcome", "success"),
        request_id=context.request_id,
        client_address=context.client_address,
        changes=redact(changes) if changes is not None else None,
    )


async def seal_pending(session: AsyncSession, *, wait: bool = True, batch: int = 1000) -> int:
    """Chain every unsealed record (oldest insert first); returns how many were sealed.
    Without ``wait``, returns 0 at once when another sealer is at work."""
    if not await audit_repo.lock_chain(session, wait=wait):
        return 0
    previous = await audit_repo.last_sealed(session)
    seq = (previous.seq or 0) if previous else 0
    prev_hash = (previous.hash or GENESIS_HASH) if previous else GENESIS_HASH
    sealed = 0
    while rows := await audit_repo.unsealed(session, limit=batch):
        for row in rows:
            seq += 1
            row.seq = seq
            row.prev_hash = prev_hash
            row.hash = prev_hash = record_hash(_fields(row), prev_hash)
        await session.flush()
        sealed += len(rows)
        if len(rows) < batch:
            break
    return sealed


async def record_standalone(sessionmaker: async_sessionmaker[AsyncSession], **kwargs: Any) -> None:
    """Audit something in a transaction of its own: a refused request rolls its own
    transaction back, yet the refusal itself must be kept."""
    async with transaction(sessionmaker) as session:
        record(session, **kwargs)


async def seal_in_background(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with transaction(sessionmaker) as session:
        return await seal_pending(session, wait=False)


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    records_checked: int
    last_seq: int | None
    first_broken_seq: int | None = None
    problem: str | None = None
    checked_at: datetime | None = None


async def verify(session: AsyncSession) -> ChainReport:
    """Walk the chain from the start: every hash must match its content and link to the
    previous record, and seq must have no gaps (a deleted record leaves one)."""
    await seal_pending(session)
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    async for row in audit_repo.iterate(session):
        problem = None
        if row.seq != expected_seq:
            problem = f"record {expected_seq} is missing"
        elif row.prev_hash != expected_prev:
            problem = "the link to the previous record does not match"
        elif row.prev_hash is None or record_hash(_fields(row), row.prev_hash) != row.hash:
            problem = "the record's content does not match its hash"
        if problem:
            return ChainReport(False, count, row.seq, row.seq, problem, utcnow())
        assert row.seq is not None  # iterate() yields sealed records only
        assert row.hash is not None
        expected_prev, expected_seq, count = row.hash, row.seq + 1, count + 1
    return ChainReport(True, count, expected_seq - 1 if count else None, checked_at=utcnow())
