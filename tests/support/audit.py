"""Audit helpers for tests: end the current minute of failed-authentication tallies."""

from __future__ import annotations

from datetime import timedelta

from app.clock import now_utc
from app.db.session import Database, transaction
from app.domain.audit.service import seal_pending
from app.settings import Settings


async def close_failure_minutes(db: Database, settings: Settings) -> None:
    """Seal as the sealer would two minutes from now: every tally so far is a closed minute
    and becomes its audit record."""
    async with transaction(db.sessionmaker) as session:
        await seal_pending(
            session, key=settings.audit_key_bytes, now=now_utc() + timedelta(minutes=2)
        )
