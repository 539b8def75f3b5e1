"""Checking the audit chain, and signed checkpoints of its end (SPEC 4.4).

Verification first seals what is pending, in a short transaction of its own (without
waiting: a sealer at work is sealing those records right now), then reads the chain in
keyset batches of its own, each in a fresh read-only transaction: it takes no lock that a
writer, a reader or the sealer could wait for, however long the trail is.

A checkpoint is the last sequence number and its MAC, signed with the audit key, kept
outside the database (a file). Verifying against one also finds records deleted from the
end of the trail, which the chain alone cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import now_utc
from app.db.models import AuditRecord
from app.db.repositories import audit as audit_repo
from app.db.session import transaction
from app.domain.audit.chain import (
    GENESIS_HASH,
    KEYED_HMAC_SHA256,
    LEGACY_SHA256,
    checkpoint_signature,
    expected_hash,
    signature_matches,
)
from app.domain.audit.service import record_fields, seal_pending
from app.errors import Conflict


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    records_checked: int
    last_seq: int | None
    first_broken_seq: int | None = None
    problem: str | None = None
    checked_at: datetime | None = None
    legacy_records: int = 0
    checkpoint_seq: int | None = None


@dataclass
class _Walk:
    key: bytes
    expected_prev: str = GENESIS_HASH
    expected_seq: int = 1
    count: int = 0
    legacy: int = 0
    keyed_seen: bool = False
    hash_at: dict[int, str] | None = None  # the hash of the checkpoint's record, when seen

    def problem_with(self, row: AuditRecord) -> str | None:
        if row.seq != self.expected_seq:
            return f"record {self.expected_seq} is missing"
        if row.prev_hash != self.expected_prev:
            return "the link to the previous record does not match"
        if row.chain_version not in (LEGACY_SHA256, KEYED_HMAC_SHA256):
            return "the record names no known chain version"
        if row.chain_version == LEGACY_SHA256 and self.keyed_seen:
            # Legacy records only come before the keyed chain starts: one after it would be
            # a record forged with the unkeyed hash.
            return "an unkeyed record follows the keyed chain"
        fields = record_fields(row)
        if expected_hash(row.chain_version, self.key, fields, row.prev_hash) != row.hash:
            return "the record's content does not match its hash"
        return None

    def accept(self, row: AuditRecord) -> None:
        assert row.seq is not None
        assert row.hash is not None
        self.keyed_seen = self.keyed_seen or row.chain_version == KEYED_HMAC_SHA256
        self.legacy += row.chain_version == LEGACY_SHA256
        if self.hash_at is not None and row.seq in self.hash_at:
            self.hash_at[row.seq] = row.hash
        self.expected_prev, self.expected_seq = row.hash, row.seq + 1
        self.count += 1


async def seal_now(sessionmaker: async_sessionmaker[AsyncSession], key: bytes) -> None:
    async with transaction(sessionmaker) as session:
        await seal_pending(session, key=key, wait=False)


async def _batches(
    sessionmaker: async_sessionmaker[AsyncSession], batch: int
) -> Any:  # an async iterator of lists of records
    after = 0
    while True:
        async with sessionmaker() as session:
            rows = await audit_repo.sealed_after(session, after_seq=after, limit=batch)
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        after = rows[-1].seq or after


async def verify(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    key: bytes,
    checkpoint: dict[str, Any] | None = None,
    batch: int = 1000,
) -> ChainReport:
    """Walk the chain from the start: every hash must match its content under its version
    and link to the previous record, and seq must have no gaps (a deleted record leaves
    one). With a checkpoint, the record it names must still be there, unchanged."""
    await seal_now(sessionmaker, key)
    cp_problem, cp_seq = _checkpoint_problem(key, checkpoint)
    if cp_problem is not None:
        return ChainReport(False, 0, None, None, cp_problem, now_utc(), checkpoint_seq=cp_seq)
    walk = _Walk(key, hash_at={cp_seq: ""} if cp_seq is not None else None)
    async for rows in _batches(sessionmaker, batch):
        for row in rows:
            problem = walk.problem_with(row)
            if problem:
                return ChainReport(
                    False,
                    walk.count,
                    row.seq,
                    row.seq,
                    problem,
                    now_utc(),
                    walk.legacy,
                    cp_seq,
                )
            walk.accept(row)
    last_seq = walk.expected_seq - 1 if walk.count else None
    if checkpoint is not None and cp_seq is not None:
        problem = _against_checkpoint(checkpoint, cp_seq, last_seq, walk.hash_at or {})
        if problem is not None:
            broken = (last_seq or 0) + 1 if (last_seq or 0) < cp_seq else cp_seq
            return ChainReport(
                False, walk.count, last_seq, broken, problem, now_utc(), walk.legacy, cp_seq
            )
    return ChainReport(True, walk.count, last_seq, None, None, now_utc(), walk.legacy, cp_seq)


def _checkpoint_problem(
    key: bytes, checkpoint: dict[str, Any] | None
) -> tuple[str | None, int | None]:
    if checkpoint is None:
        return None, None
    seq, mac, created_at = (checkpoint.get(k) for k in ("seq", "mac", "created_at"))
    if not (isinstance(seq, int) and seq >= 1 and isinstance(mac, str) and created_at):
        return "the checkpoint is not a checkpoint (seq, mac, created_at, signature)", None
    expected = checkpoint_signature(key, seq=seq, mac=mac, created_at=str(created_at))
    if not signature_matches(expected, checkpoint.get("signature")):
        return "the checkpoint's signature does not match (another key, or edited)", seq
    return None, seq


def _against_checkpoint(
    checkpoint: dict[str, Any], cp_seq: int, last_seq: int | None, hash_at: dict[int, str]
) -> str | None:
    if last_seq is None or last_seq < cp_seq:
        return (
            f"the trail ends at record {last_seq or 0} but the checkpoint names record "
            f"{cp_seq}: records were removed from the end"
        )
    if hash_at.get(cp_seq) != checkpoint["mac"]:
        return f"record {cp_seq} does not match the checkpoint"
    return None


async def make_checkpoint(
    sessionmaker: async_sessionmaker[AsyncSession], *, key: bytes
) -> dict[str, Any]:
    """A signed checkpoint of the chain's end, after checking the chain (a broken chain is
    never signed: that would bless the damage)."""
    report = await verify(sessionmaker, key=key)
    if not report.valid:
        raise Conflict(
            f"the audit chain does not verify at record {report.first_broken_seq}: "
            f"{report.problem}",
            code="audit_chain_broken",
        )
    if report.last_seq is None:
        raise Conflict("the audit trail is empty: nothing to checkpoint", code="audit_trail_empty")
    async with sessionmaker() as session:
        [last] = await audit_repo.sealed_after(session, after_seq=report.last_seq - 1, limit=1)
    if last.seq is None or last.hash is None:
        raise Conflict("the audit trail is empty: nothing to checkpoint", code="audit_trail_empty")
    created_at = now_utc().isoformat()
    return {
        "seq": last.seq,
        "mac": last.hash,
        "created_at": created_at,
        "signature": checkpoint_signature(key, seq=last.seq, mac=last.hash, created_at=created_at),
    }
