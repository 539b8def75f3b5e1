"""Appending to and checking the audit trail (SPEC 4.4).

Records made during a request are queued on the session and appended in one go just before
the commit (``session.info["before_commit"]``, run by ``app.db.session.transaction``): the
chain lock is then held only for the final inserts and the commit, not for the whole request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.models import AuditRecord
from app.db.repositories import audit as audit_repo
from app.db.session import transaction
from app.db.types import new_id, utcnow
from app.domain.audit.chain import GENESIS_HASH, record_hash
from app.domain.audit.context import current_request
from app.domain.audit.redaction import redact
from app.domain.auth.actor import Actor

_PENDING = "audit_pending"


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


def record(
    session: AsyncSession,
    *,
    actor: Actor | None,
    action: str,
    object_type: str | None = None,
    object_id: uuid.UUID | str | None = None,
    changes: dict[str, Any] | None = None,
    outcome: str = "success",
) -> None:
    """Queue an audit record; it is written in the same transaction as the change it
    describes, or not at all."""
    context = current_request()
    entry = AuditRecord(
        id=new_id(),
        occurred_at=utcnow(),
        actor_sub=actor.sub if actor else None,
        actor_role=actor.role.value if actor else None,
        actor_agency_id=actor.agency_id if actor else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        outcome=outcome,
        request_id=context.request_id,
        client_address=context.client_address,
        changes=redact(changes) if changes is not None else None,
    )
    pending: list[AuditRecord] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        session.info.setdefault("before_commit", []).append(_append_pending)
    pending.append(entry)


async def _append_pending(session: AsyncSession) -> None:
    pending: list[AuditRecord] = session.info.pop(_PENDING, [])
    if not pending:
        return
    await audit_repo.lock_chain(session)
    previous = await audit_repo.last(session)
    seq = previous.seq if previous else 0
    prev_hash = previous.hash if previous else GENESIS_HASH
    for entry in pending:
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev_hash
        entry.hash = prev_hash = record_hash(_fields(entry), prev_hash)
        session.add(entry)
    await session.flush()


async def record_standalone(sessionmaker: async_sessionmaker[AsyncSession], **kwargs: Any) -> None:
    """Audit something in a transaction of its own: a refused request rolls its own
    transaction back, yet the refusal itself must be kept."""
    async with transaction(sessionmaker) as session:
        record(session, **kwargs)


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
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    async for row in audit_repo.iterate(session):
        problem = None
        if row.seq != expected_seq:
            problem = f"record {expected_seq} is missing"
        elif row.prev_hash != expected_prev:
            problem = "the link to the previous record does not match"
        elif record_hash(_fields(row), row.prev_hash) != row.hash:
            problem = "the record's content does not match its hash"
        if problem:
            return ChainReport(False, count, row.seq, row.seq, problem, utcnow())
        expected_prev, expected_seq, count = row.hash, row.seq + 1, count + 1
    return ChainReport(True, count, expected_seq - 1 if count else None, checked_at=utcnow())
