"""Keeping the statistics' rollups compact (PostgreSQL): the deltas the triggers append are
folded into the cells in the background, so that a report reads few rows. Correctness never
waits for it (a report adds the deltas not folded yet); only speed does. Every API process
runs it; one at a time folds (the others skip until the next round)."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.repositories import statistics_rollups as repo
from app.db.session import transaction

log = structlog.get_logger("adr.statistics")
BATCH = 5000


async def compact_pending(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Fold every delta committed so far, a batch per short transaction; how many."""
    folded = 0
    while True:
        async with transaction(sessionmaker) as session:
            if session.get_bind().dialect.name != "postgresql":
                return folded
            moved = await repo.compact(session, batch=BATCH)
        if moved is None:  # another process is at it
            return folded
        folded += moved
        if moved < BATCH:
            return folded


async def compact_in_background(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    folded = await compact_pending(sessionmaker)
    if folded >= BATCH:
        log.info("statistics_compacted", deltas=folded)
