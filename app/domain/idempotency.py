"""Idempotency keys (SPEC 3): the answer to a create-style request, kept by caller and key.

The answer is stored in the same transaction as the write it protects, so that either both
commit or neither does: a retry after a failure simply runs again. Keys live 72 hours.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import IdempotencyKey
from app.db.repositories import idempotency as repo
from app.db.repositories.idempotency import KeyRow as KeyRow  # the API names it
from app.errors import Conflict, ValidationFailed

KEY_LIFETIME = timedelta(hours=72)


@dataclass(frozen=True)
class Answer:
    """A response as it is kept: its status, JSON body and the headers a replay repeats."""

    status: int
    body: str
    headers: dict[str, str]


async def stored_answer(
    session: AsyncSession, *, caller: str, key: str, fingerprint: str
) -> Answer | None:
    """The answer kept for the caller's key, or None (an expired one is removed first);
    422 ``idempotency_key_reused`` when the key came with another request."""
    existing = await repo.find(session, caller, key)
    if existing is None:
        return None
    if existing.expires_at <= now_utc():
        await repo.remove(session, existing)
        return None
    if existing.request_hash != fingerprint:
        raise ValidationFailed(
            "this Idempotency-Key was used with another request",
            errors=[
                {
                    "field": "header.Idempotency-Key",
                    "code": "idempotency_key_reused",
                    "message": "send a new key for a different request",
                }
            ],
            code="idempotency_key_reused",
        )
    return Answer(existing.response_status, existing.response_body, existing.response_headers)


async def claim(session: AsyncSession, *, caller: str, key: str) -> None:
    """Take the key's lock for this transaction, without waiting: 409
    ``idempotency_key_in_flight`` when it is held (the first request still runs)."""
    if not await repo.try_lock(session, caller, key):
        raise Conflict(
            "a request with this Idempotency-Key is still being processed; retry shortly",
            code="idempotency_key_in_flight",
            headers={"Retry-After": "1"},
        )


async def remember(
    session: AsyncSession,
    *,
    caller: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    answer: Answer,
) -> None:
    """Keep the answer for the caller's key, in the transaction of the write it answers."""
    row = IdempotencyKey(
        caller=caller,
        key=key,
        method=method,
        path=path,
        request_hash=fingerprint,
        response_status=answer.status,
        response_body=answer.body,
        response_headers=answer.headers,
        expires_at=now_utc() + KEY_LIFETIME,
    )
    await repo.add(session, row)


@dataclass(frozen=True)
class KeyToKeep:
    """A key whose answer the creating request writes itself, in the statement that
    creates the object (``answer_row``), instead of ``remember`` after it: the intake's
    answer carries the case's number, which exists only from the numbering statement on,
    and nothing but that statement and the commit may run while the year's counter is
    locked (docs/performance.md). The answer is rendered once, with ``marker`` where the
    number goes; the statement puts the number in."""

    caller: str
    key: str
    method: str
    path: str
    fingerprint: str
    # Unguessable, so that no text a caller sent can contain it.
    marker: str = ""

    def __post_init__(self) -> None:
        if not self.marker:
            object.__setattr__(self, "marker", self.new_marker())

    @staticmethod
    def new_marker() -> str:
        return f"@@number-{uuid.uuid4().hex}@@"

    def answer_row(self, answer: Answer) -> KeyRow:
        """The key's row, ``answer.body`` still holding ``marker`` in place of the number."""
        now = now_utc()
        values = {
            "caller": self.caller,
            "key": self.key,
            "method": self.method,
            "path": self.path,
            "request_hash": self.fingerprint,
            "response_status": answer.status,
            "response_body": answer.body,
            "response_headers": answer.headers,
            "created_at": now,
            "expires_at": now + KEY_LIFETIME,
        }
        return KeyRow(values, self.marker)
