"""INSERTs for the hottest write path, straight to the driver on PostgreSQL.

Measured on our machine (docs/performance.md): running a Core INSERT of a 38-column row
through SQLAlchemy costs ~300 µs of CPU, asyncpg alone ~40 µs; building the statement, the
execution context and the per-column processing make the difference. The intake writes five
rows per case, so it goes to asyncpg directly, inside the session's own transaction (the
same connection, so nothing about atomicity changes). Only what the column types would have
done is redone here: JSON is serialised as the dialect's codec expects and UTC datetimes
pass through their type's check (aware only). SQLite, and anything unusual, takes Core.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any, cast

import asyncpg
from sqlalchemy import JSON, Table, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base
from app.db.types import Code, UTCDateTime

_PG_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _identity(value: Any) -> Any:
    return value


def _converter(table: Table, key: str) -> Callable[[Any], Any]:
    column_type = table.columns[key].type
    if isinstance(column_type, JSON):  # JSONB on PostgreSQL: the codec takes JSON text
        return lambda value: None if value is None else json.dumps(value)
    if isinstance(column_type, UTCDateTime | Code):  # aware datetimes only; known codes only
        return functools.partial(column_type.process_bind_param, dialect=_PG_DIALECT)
    return _identity


@functools.cache
def typed_parameters(
    table: Table,
    keys: tuple[str, ...],
    first: int,
    *,
    arrays: bool = False,
    check_defaults: bool = True,
) -> tuple[list[str], list[Callable[[Any], Any]]]:
    """``$n::type`` for each column (``type[]`` with ``arrays``), numbered from ``first``,
    and the converter of each value: for statements that insert from a SELECT, where
    PostgreSQL cannot infer a parameter's type from its column. ``check_defaults``: the
    columns are a row to insert (not an UPDATE's), so none with a Python-side default may be
    left out."""
    suffix = "[]" if arrays else ""
    placeholders = [
        f"${first + i}::{table.columns[key].type.compile(dialect=_PG_DIALECT)}{suffix}"
        for i, key in enumerate(keys)
    ]
    if check_defaults:
        _check_defaults(table, keys)
    return placeholders, [_converter(table, key) for key in keys]


def _check_defaults(table: Table, keys: tuple[str, ...]) -> None:
    forgotten = [c.key for c in table.columns if c.key not in keys and c.default is not None]
    if forgotten:  # Core would have applied these Python-side defaults; say so, once
        raise ValueError(f"insert into {table.name} without {forgotten}: give their values")


# Set in a session's ``info`` (``create_database``) when the server is reached directly, not
# through PgBouncer's transaction pooling: reads may then run before the transaction begins.
READS_BEFORE_BEGIN = "fast_read.reads_before_begin"


# The connection of the session's transaction, kept in its ``info`` with that transaction:
# asking the session for it takes two hand-offs to SQLAlchemy's greenlet, and a hot request
# asks three or four times (~4 % of a dispatch's CPU). A new transaction (after a commit or
# a rollback) is another object, so the kept one is never used past its own.
_DRIVER_OF_TRANSACTION = "fast_insert.driver_of_transaction"


def _driver_of_transaction(session: AsyncSession) -> tuple[Any, Any] | None:
    kept = session.info.get(_DRIVER_OF_TRANSACTION)
    if kept is None:
        return None
    transaction, adapted, driver = kept
    current = session.sync_session.get_transaction()
    if current is None or current is not transaction or not current.is_active:
        return None
    return adapted, driver


async def driver_connection(
    session: AsyncSession, *, to_read: bool = False
) -> asyncpg.Connection | None:
    """The session's asyncpg connection inside its transaction, or None (SQLite). With
    ``to_read``, and ``READS_BEFORE_BEGIN`` in the session's info, a read that comes before
    anything is written runs before BEGIN."""
    found = _driver_of_transaction(session)
    if found is None:
        connection = await session.connection()
        if connection.dialect.name != "postgresql":
            return None
        raw = await connection.get_raw_connection()
        if raw.driver_connection is None:
            return None
        found = raw.dbapi_connection, raw.driver_connection
        session.info[_DRIVER_OF_TRANSACTION] = (session.sync_session.get_transaction(), *found)
    adapted, driver = found
    if getattr(adapted, "_transaction", True) is None:
        # SQLAlchemy's asyncpg adapter emits BEGIN lazily, with its first statement; so
        # nothing this transaction wrote exists yet. Read Committed gives each statement
        # its own snapshot inside a transaction too, so a plain read sees the same before
        # BEGIN as after it, and a request that only reads (a case, a list) saves BEGIN
        # and COMMIT, two of its four round trips. Behind PgBouncer's transaction pooling a
        # statement outside a transaction may land on another server than the rest (and the
        # statement timeout is set per transaction there), and a write must never
        # autocommit: begin the transaction the adapter's way.
        if to_read and session.info.get(READS_BEFORE_BEGIN):
            return cast(asyncpg.Connection, driver)
        await adapted._start_transaction()  # type: ignore[union-attr]
    if not driver.is_in_transaction():
        return None
    return cast(asyncpg.Connection, driver)


async def fetch_in_transaction(
    session: AsyncSession, sql: str, *args: Any
) -> list[asyncpg.Record] | None:
    """The rows of a statement that writes or locks, run in the session's transaction (begun
    if nothing has begun it yet); None on SQLite (take SQLAlchemy)."""
    driver = await driver_connection(session)
    if driver is None:
        return None
    try:
        return cast(list[asyncpg.Record], await driver.fetch(sql, *args))
    except asyncpg.PostgresError as error:
        raise translated(error, sql) from error


def translated(error: asyncpg.PostgresError, sql: str) -> DBAPIError:
    """A driver error as SQLAlchemy would raise it, for the callers and the one error
    mapping (a NUL in text is a 422 there, for instance)."""
    if isinstance(error, asyncpg.IntegrityConstraintViolationError):
        return IntegrityError(sql, None, error)
    return DBAPIError(sql, None, error)


@functools.cache
def _pg_statement(table: Table, keys: tuple[str, ...]) -> tuple[str, list[Callable[[Any], Any]]]:
    _check_defaults(table, keys)
    columns = ", ".join(f'"{key}"' for key in keys)
    placeholders = ", ".join(f"${i}" for i in range(1, len(keys) + 1))
    # Names from the model's own metadata, values as parameters.
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})'  # noqa: S608
    return sql, [_converter(table, key) for key in keys]


async def insert_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows of a model's table that all have the same keys, in the session's
    transaction. Columns left out get their server-side defaults only: pass every value the
    model would fill in."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    driver = await driver_connection(session)
    if driver is None:
        await (await session.connection()).execute(insert(table), list(rows))
        return
    keys = tuple(rows[0])
    sql, converters = _pg_statement(table, keys)
    args = [
        tuple(convert(row[k]) for convert, k in zip(converters, keys, strict=True)) for row in rows
    ]
    try:
        if len(args) == 1:
            await driver.execute(sql, *args[0])
        else:
            await driver.executemany(sql, args)
    except asyncpg.PostgresError as error:
        raise translated(error, sql) from error
