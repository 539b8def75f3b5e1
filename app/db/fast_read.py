"""Reads for the hottest paths, straight to the driver on PostgreSQL.

The counterpart of ``fast_insert``. Measured in-process (docs/performance.md, issue 16): a
one-row SELECT through the ORM costs ~250 µs of CPU, the case with its applicants through the ORM
~1,200 µs; asyncpg alone ~50–60 µs. The statements here are plain SQL written once, run on the
session's own connection inside its transaction (so they see what the request wrote, and under
PgBouncer's transaction pooling a statement is prepared and used on one server). Rows come back
as instances of the models built the way the ORM's loader builds them (a new instance whose
attribute dict is filled, no attribute events) with the values each column type would have
produced. Directly connected, a read that comes before the request's first write runs before its
BEGIN (``fast_insert.driver_connection`` says why that is safe). Such an instance (a row built
so) is *not* in the session: it is for reading. Code that changes what it read loads it through
the ORM (``for_update``), never through here. SQLite, and a session whose connection is not
asyncpg, get None and take the ORM path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import asyncpg
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.instrumentation import manager_of_class

from app.db.base import Base
from app.db.fast_insert import driver_connection, translated

M = TypeVar("M", bound=Base)
# What the engine's dialect does to fetched values (JSON arrives decoded: SQLAlchemy gives
# asyncpg's connections a JSON codec).
_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


async def driver(session: AsyncSession) -> asyncpg.Connection | None:
    """The session's asyncpg connection for a read, or None (SQLite)."""
    return await driver_connection(session, to_read=True)


async def fetch(session: AsyncSession, sql: str, *args: Any) -> list[asyncpg.Record] | None:
    """The rows of ``sql`` on the session's transaction; None on SQLite (take the ORM)."""
    conn = await driver(session)
    if conn is None:
        return None
    try:
        return cast(list[asyncpg.Record], await conn.fetch(sql, *args))
    except asyncpg.PostgresError as error:
        raise translated(error, sql) from error


@functools.cache
def _processors(model: type[Base]) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    """(attribute, column, what the column's type does to a fetched value) for each column."""
    table = cast(Table, model.__table__)
    mapper = model.__mapper__
    out = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.table is not table:
            continue
        column_type = column.type.dialect_impl(_DIALECT)
        out.append((prop.key, column.name, column_type.result_processor(_DIALECT, None)))
    return tuple(out)


@functools.cache
def _new_instance(model: type[Base]) -> Callable[[], Any]:
    return manager_of_class(model).new_instance


def loaded(model: type[M], row: Mapping[str, Any], **related: Any) -> M:
    """An instance of ``model`` with the row's columns (by column name) and the given
    relationships, as if the ORM had loaded it, but outside any session."""
    instance: M = _new_instance(model)()
    values = instance.__dict__
    for key, name, process in _processors(model):
        value = row[name]
        values[key] = process(value) if process is not None and value is not None else value
    values.update(related)
    return instance
