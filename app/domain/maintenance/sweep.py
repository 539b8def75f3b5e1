"""The periodic sweep every API process runs: expire unanswered offers (SPEC 2.7) and drop
idempotency keys past their lifetime. Several processes may sweep at once: offers are
claimed case by case under SKIP LOCKED, and deleting an expired key twice is harmless."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.repositories import idempotency as idempotency_repo
from app.db.session import transaction
from app.db.types import utcnow
from app.domain.dispatch.answers import expire_overdue

log = structlog.get_logger("adr.sweep")


@dataclass(frozen=True)
class SweepReport:
    offers_expired: int
    idempotency_keys_deleted: int


async def sweep_once(sessionmaker: async_sessionmaker[AsyncSession]) -> SweepReport:
    async with transaction(sessionmaker) as session:
        expired = await expire_overdue(session, limit=200)
    async with transaction(sessionmaker) as session:
        deleted = await idempotency_repo.delete_expired(session, utcnow())
    return SweepReport(expired, deleted)


async def run_periodically(
    sessionmaker: async_sessionmaker[AsyncSession], *, interval_s: float, stop: asyncio.Event
) -> None:
    """Sweep every ``interval_s`` seconds (with jitter, so that processes started together
    do not sweep in lockstep) until ``stop`` is set. A failed sweep is logged and retried
    at the next tick: it must never take the process down."""
    while not stop.is_set():
        delay = interval_s * (0.8 + 0.4 * random.random())  # noqa: S311  (not cryptographic)
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        except TimeoutError:
            pass
        try:
            report = await sweep_once(sessionmaker)
            if report.offers_expired or report.idempotency_keys_deleted:
                log.info("sweep", **report.__dict__)
        except Exception:
            log.exception("sweep_failed")
