"""The periodic work every API process runs: the sweep (expire unanswered offers, SPEC 2.7;
drop idempotency keys past their lifetime) and the audit sealer. Several processes may run
them at once: offers are claimed case by case under SKIP LOCKED, deleting an expired key
twice is harmless, and one sealer at a time holds the chain's lock (the others skip)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import now_utc
from app.db.repositories import assignments as assignments_repo
from app.db.repositories import idempotency as idempotency_repo
from app.db.session import transaction
from app.domain.dispatch.answers import expire_overdue
from app.domain.events.deadline_warnings import warn_entering_cases

log = structlog.get_logger("adr.sweep")


@dataclass(frozen=True)
class SweepReport:
    offers_expired: int
    idempotency_keys_deleted: int
    deadline_warnings: int = 0


async def sweep_once(sessionmaker: async_sessionmaker[AsyncSession]) -> SweepReport:
    # One short transaction per case: a redispatch locks a lawyer, and holding many cases'
    # locks at once while taking lawyers' would let two sweepers lock in crossing order.
    async with transaction(sessionmaker) as session:
        due = await assignments_repo.overdue_offers(session, now=now_utc(), limit=200)
        case_ids = list(dict.fromkeys(a.case_id for a in due))
    expired = 0
    for case_id in case_ids:
        async with transaction(sessionmaker) as session:
            expired += await expire_overdue(session, case_id=case_id)
    async with transaction(sessionmaker) as session:
        deleted = await idempotency_repo.delete_expired(session, now_utc())
    async with transaction(sessionmaker) as session:
        warned = await warn_entering_cases(session)
    return SweepReport(expired, deleted, warned)


async def sweep_and_log(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    report = await sweep_once(sessionmaker)
    if report.offers_expired or report.idempotency_keys_deleted or report.deadline_warnings:
        log.info("sweep", **report.__dict__)


async def run_periodically(
    job: Callable[[], Awaitable[object]], *, name: str, interval_s: float, stop: asyncio.Event
) -> None:
    """Run ``job`` every ``interval_s`` seconds (with jitter, so that processes started
    together do not run in lockstep) until ``stop`` is set. A failed run is logged and
    retried at the next tick: it must never take the process down."""
    while not stop.is_set():
        delay = interval_s * (0.8 + 0.4 * random.random())  # noqa: S311  (not cryptographic)
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        except TimeoutError:
            pass
        try:
            await job()
        except Exception:
            log.exception("periodic_job_failed", job=name)
