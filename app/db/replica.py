"""Reads that may go to a streaming replica (SPEC 5): statistics now, archives and exports
later. The replica is used when configured and reachable; otherwise the primary serves, so a
replica that is down, starting or misconfigured never fails a request. After a failed
connection the replica is skipped for ``retry_after_s`` (per process), so that a dead one
costs one connect timeout, not one per request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Literal

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from app.db.session import Database, create_sessionmaker, transaction
from app.settings import Settings

ReadSource = Literal["replica", "primary"]
log = structlog.get_logger("adr.replica")


def create_replica(settings: Settings) -> Database | None:
    """The replica's engine, or None when none is configured. A short connect timeout and a
    ping on checkout: a replica that went away is noticed before a query is sent to it."""
    if not settings.database_replica_url:
        return None
    engine = create_async_engine(
        settings.database_replica_url,
        pool_size=max(2, settings.db_pool_size // 2),
        max_overflow=settings.db_max_overflow // 2,
        pool_timeout=settings.replica_connect_timeout_s,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "timeout": settings.replica_connect_timeout_s,
            "server_settings": {"application_name": "adr-service-reports", "timezone": "UTC"},
        },
    )
    return Database(engine=engine, sessionmaker=create_sessionmaker(engine))


class ReportReads:
    """Chooses where a report reads from."""

    def __init__(
        self,
        replica: Database | None,
        *,
        connect_timeout_s: float,
        retry_after_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.replica = replica
        self.connect_timeout_s = connect_timeout_s
        self.retry_after_s = retry_after_s
        self.clock = clock
        self._skip_until = 0.0

    async def _replica_session(self) -> AsyncSession | None:
        if self.replica is None or self.clock() < self._skip_until:
            return None
        session = self.replica.sessionmaker()
        try:
            # The bound covers the pool's checkout, the ping and a new connection alike.
            async with asyncio.timeout(self.connect_timeout_s + 0.5):
                await session.connection()
        except (OSError, SQLAlchemyError, TimeoutError) as error:
            self._skip_until = self.clock() + self.retry_after_s
            log.warning("replica_unavailable", error=type(error).__name__)
            await session.close()
            return None
        return session

    @asynccontextmanager
    async def session(self, primary: Database) -> AsyncIterator[tuple[AsyncSession, ReadSource]]:
        replica_session = await self._replica_session()
        if replica_session is None:
            async with transaction(primary.sessionmaker) as session:
                yield session, "primary"
            return
        try:
            yield replica_session, "replica"
        finally:
            await replica_session.close()

    async def dispose(self) -> None:
        if self.replica is not None:
            await self.replica.engine.dispose()
