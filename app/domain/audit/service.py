"""Appending to and sealing the audit trail (SPEC 4.4); checking it: ``verification``.

A record is written in the same transaction as the change it describes, with no lock, so
writes never queue behind one another for the audit trail. The sealer (every second in each
process, and before the trail is listed or verified) then chains the new records in insertion
order, under a lock of its own: seq, prev_hash, hash. Measured reason: a chain extended by
every writer under one lock held through the commit capped all writes at ~900 transactions/s
on our machine and deadlocked with the case-number row lock (docs/performance.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import now_utc
from app.db.models import AuditRecord
from app.db.repositories import audit as audit_repo
from app.db.repositories.audit import AuditFilters as AuditFilters
from app.db.session import transaction
from app.db.types import new_id
from app.domain.audit.chain import GENESIS_HASH, KEYED_HMAC_SHA256, keyed_record_hash
from app.domain.audit.context import current_request
from app.domain.audit.redaction import redact
from app.domain.audit.schemas import AuditRecordOut
from app.domain.auth.actor import Actor
from app.domain.paging import BY_SEQ, Page


def record_fields(record: AuditRecord) -> dict[str, Any]:
    """What a record's hash covers (its sequence number and everything it says)."""
    return {"seq": record.seq, **_content(record)}


def _content(record: Any) -> dict[str, Any]:
    """What a record says: ``record`` is the ORM record or a row of its columns."""
    return {
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
    # Default: the current request's. Set when the record sums up other requests.
    client_address: str | None
    request_id: str | None


def record(session: AsyncSession, **fields: Unpack[AuditFields]) -> None:
    """Queue an audit record; it is written in the same transaction as the change it
    describes, or not at all."""
    session.add(_new_record(fields))


def new_record(**fields: Unpack[AuditFields]) -> AuditRecord:
    """As ``record``, but handed back for the caller's own statement to write, in the
    transaction of the change it describes: for the intake's hot path, where the ORM's
    flush would cost more than the INSERT (app/db/repositories/case_intake.py)."""
    return _new_record(fields)


def _new_record(fields: AuditFields) -> AuditRecord:
    context = current_request()
    actor = fields["actor"]
    object_id = fields.get("object_id")
    changes = fields.get("changes")
    return AuditRecord(
        id=new_id(),
        occurred_at=now_utc(),
        actor_sub=actor.sub if actor else None,
        actor_role=actor.role.value if actor else None,
        actor_agency_id=actor.agency_id if actor else None,
        action=fields["action"],
        object_type=fields.get("object_type"),
        object_id=str(object_id) if object_id is not None else None,
        outcome=fields.get("outcome", "success"),
        request_id=fields.get("request_id", context.request_id),
        client_address=fields.get("client_address", context.client_address),
        changes=redact(changes) if changes is not None else None,
    )


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


async def count_failed_authentication(
    sessionmaker: async_sessionmaker[AsyncSession], *, code: str, path: str
) -> None:
    """Failed authentication is anonymous traffic: it only counts, per client address and
    minute (SPEC 4.4), so that a flood cannot grow the trail; the closed minute becomes
    one audit record with its count (``record_closed_failures``)."""
    context = current_request()
    async with transaction(sessionmaker) as session:
        await audit_repo.count_failed_authentication(
            session,
            client_address=context.client_address or "unknown",
            minute=_minute(now_utc()),
            request_id=context.request_id,
            code=code,
            path=path,
        )


async def record_closed_failures(session: AsyncSession, *, now: datetime) -> int:
    """Turn the tallies of minutes before ``now``'s into audit records, one per address and
    minute. Run by the sealer under its lock, so no tally is recorded twice."""
    tallies = await audit_repo.take_failed_authentications(session, before=_minute(now))
    for tally in tallies:
        record(
            session,
            actor=None,
            action="auth.refused",
            object_type="route",
            object_id=tally.last_path,
            outcome="denied",
            changes={
                "count": tally.count,
                "minute": tally.minute.isoformat(),
                "code": tally.last_code,
            },
            client_address=tally.client_address,
            request_id=tally.first_request_id,
        )
    if tallies:
        await session.flush()
    return len(tallies)


async def seal_pending(
    session: AsyncSession,
    *,
    key: bytes,
    wait: bool = True,
    batch: int = 1000,
    now: datetime | None = None,
) -> int:
    """Chain every unsealed record (oldest insert first) by HMAC-SHA256 under ``key``;
    returns how many were sealed. Without ``wait``, returns 0 at once when another sealer
    is at work. The first keyed record links to the last legacy (SHA-256) one. Closed
    minutes of failed authentications are recorded first."""
    if not await audit_repo.lock_chain(session, wait=wait):
        return 0
    await record_closed_failures(session, now=now or now_utc())
    previous = await audit_repo.last_sealed(session)
    seq = (previous.seq or 0) if previous else 0
    prev_hash = (previous.hash or GENESIS_HASH) if previous else GENESIS_HASH
    sealed = 0
    # Plain rows in, one executemany out: under steady intake the sealer runs every second
    # and, through ORM objects, cost about a tenth of the service's throughput (make bench).
    while rows := await audit_repo.unsealed_rows(session, limit=batch):
        seals = []
        for row in rows:
            seq += 1
            mac = keyed_record_hash(key, {"seq": seq, **_content(row)}, prev_hash)
            seals.append(
                {
                    "serial": row.serial,
                    "seq": seq,
                    "prev_hash": prev_hash,
                    "chain_version": KEYED_HMAC_SHA256,
                    "hash": mac,
                }
            )
            prev_hash = mac
        await audit_repo.seal(session, seals)
        sealed += len(rows)
        if len(rows) < batch:
            break
    return sealed


async def record_standalone(sessionmaker: async_sessionmaker[AsyncSession], **kwargs: Any) -> None:
    """Audit something in a transaction of its own: a refused request rolls its own
    transaction back, yet the refusal itself must be kept."""
    async with transaction(sessionmaker) as session:
        record(session, **kwargs)


async def seal_in_background(sessionmaker: async_sessionmaker[AsyncSession], key: bytes) -> int:
    async with transaction(sessionmaker) as session:
        return await seal_pending(session, key=key, wait=False)


async def list_records(
    session: AsyncSession, *, key: bytes, filters: AuditFilters, cursor: str | None, limit: int
) -> Page[AuditRecordOut]:
    """A page of the trail, newest first. Records are listed with their place in the chain,
    so what the sealer has not chained yet is sealed first."""
    await seal_pending(session, key=key)
    found = await audit_repo.list_page(
        session, filters=filters, after=BY_SEQ.decode(cursor), limit=limit
    )
    return BY_SEQ.page(found, AuditRecordOut.model_validate)
