"""Engines and sessions.

There is exactly one place that commits: ``transaction()`` (used by the per-request session
dependency, background jobs and the CLI). Services and repositories only flush.

SQLite needs three things to behave like a real transactional database (the recipe from
SQLAlchemy's pysqlite/aiosqlite docs, as Prefect uses it): foreign keys switched on per
connection, the driver's own implicit BEGIN switched off, and an explicit ``BEGIN
IMMEDIATE`` so that a writer takes the write lock at the start of its transaction instead of
failing with "database is locked" when it tries to upgrade a read lock halfway through.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from app.db.fast_insert import READS_BEFORE_BEGIN
from app.settings import Settings


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see _sqlite_on_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 15000")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _unique_statement_name() -> str:
    return f"__adr_{uuid.uuid4().hex}__"


def _pooler_connect_args(settings: Settings) -> dict[str, Any]:
    """Behind PgBouncer in transaction pooling, consecutive transactions of one client
    connection run on different server connections, and one server connection serves many
    clients: a named prepared statement left on it by one client collides with the next
    client's statement of the same name (``__asyncpg_stmt_1__ already exists``), or is
    missing where a cached one is reused. So: asyncpg keeps no statement cache (its own
    queries then use the unnamed statement), SQLAlchemy caches none either, and the
    statements SQLAlchemy must prepare get names no other client can pick (the recipe of
    SQLAlchemy's asyncpg dialect documentation). Every statement runs inside a transaction
    (SQLAlchemy always begins one), so a statement is prepared and used on the same server
    connection."""
    if settings.database_pooler != "transaction":
        return {}
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": _unique_statement_name,
    }


def _direct_statement_timeout(settings: Settings) -> dict[str, str]:
    """Every statement is bounded (SPEC 3). Connected directly, the bound is a startup
    parameter: set once per connection, no round trip per request. PgBouncer does not track
    ``statement_timeout`` (it would refuse the startup parameter), so behind it the bound is
    set per transaction instead, see ``_bound_each_transaction``."""
    if settings.database_pooler == "transaction":
        return {}
    return {"statement_timeout": str(settings.statement_timeout_ms)}


def _bound_each_transaction(engine: AsyncEngine, milliseconds: int) -> None:
    """Behind PgBouncer: ``SET LOCAL statement_timeout`` as each transaction begins (one more
    round trip per transaction, the price of transaction pooling). Reports raise it later in
    the same transaction with ``set_statement_timeout``."""

    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(milliseconds)}")

    event.listen(engine.sync_engine, "begin", on_begin)


def _discard_if_closed(
    dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """A pooled connection the server has closed (a restart, an idle timeout, a terminated
    backend) is known to asyncpg as soon as the event loop reads the end of its socket, so
    it can be refused at checkout at no cost: the pool then opens a fresh one, and the
    request that would have failed on it runs normally. (``pool_pre_ping`` would find the
    same with a round trip on every checkout; a connection that dies silently, with no end
    of stream, still fails its request once.)"""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_engine(settings: Settings, *, url: str | None = None) -> AsyncEngine:
    url = url or settings.database_url
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 15})
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        # No pre-ping: it is a round trip on every checkout (measured: 2-3% of an intake's
        # CPU and one more wait). A connection the server closed is refused at checkout
        # instead (_discard_if_closed), and connections older than the recycle time are
        # replaced before use.
        pool_pre_ping=False,
        pool_recycle=1800,
        # Startup parameters that PgBouncer tracks per client and restores on every server
        # connection it lends (application_name and TimeZone both are), so they hold there too.
        connect_args={
            "server_settings": {
                "application_name": "adr-service",
                "timezone": "UTC",
                **_direct_statement_timeout(settings),
            },
            **_pooler_connect_args(settings),
        },
    )
    event.listen(engine.sync_engine, "checkout", _discard_if_closed)
    if settings.database_pooler == "transaction":
        _bound_each_transaction(engine, settings.statement_timeout_ms)
    return engine


def create_sessionmaker(bind: AsyncEngine | Any, **kwargs: Any) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: responses are rendered after the commit from the same objects,
    # and an expired attribute would trigger an implicit (forbidden) lazy load.
    return async_sessionmaker(bind=bind, expire_on_commit=False, autoflush=False, **kwargs)


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def create_database(settings: Settings, *, url: str | None = None) -> Database:
    engine = create_engine(settings, url=url)
    # Connected directly, the hot reads may come before a transaction's BEGIN (fast_insert).
    info = {READS_BEFORE_BEGIN: settings.database_pooler != "transaction"}
    return Database(engine=engine, sessionmaker=create_sessionmaker(engine, info=info))


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Open a session, yield it, and commit when the block ends without an error. Any
    exception rolls everything back and propagates."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def set_statement_timeout(session: AsyncSession, milliseconds: int) -> None:
    """Bound every statement of the session's current transaction (``SET LOCAL``: it ends
    with the transaction, so a pooled connection never keeps it). PostgreSQL only."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT set_config('statement_timeout', :value, true)"),
            {"value": str(milliseconds)},
        )


async def flush_unique(session: AsyncSession, *new: object) -> bool:
    """Add ``new`` and flush, in a savepoint; False when a unique constraint refused it (a
    parallel request stored the same key first). The transaction stays usable, so the caller
    can look the winner up and answer 409 instead of 500. New objects must be added here,
    inside the savepoint, for its rollback to take them out again."""
    try:
        async with session.begin_nested():
            session.add_all(new)
            await session.flush()
    except IntegrityError:
        return False
    return True
