"""Keyset pages: how every list reads one page.

A list is a select ordered by a key that is unique (an id, or a column and the id), and a
page is the rows after a key. Reading "after the last key seen" instead of skipping rows
costs the same on page 1,000 as on page 1 and never repeats or skips a row when others are
inserted meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

R = TypeVar("R")
Key = tuple[Any, ...]
KeyColumns = Sequence[InstrumentedAttribute[Any]]


@dataclass(frozen=True)
class KeysetPage(Generic[R]):
    rows: list[R]
    # The last row's key when the page is full (there may be more), else None.
    next_key: Key | None


def _ordered(stmt: Select[Any], key: KeyColumns, after: Key | None, limit: int, desc: bool) -> Any:
    stmt = stmt.order_by(*(c.desc() if desc else c for c in key)).limit(limit)
    if after is not None:
        stmt = stmt.where(_beyond(key, after, desc))
    return stmt


def _beyond(key: KeyColumns, after: Key, desc: bool) -> ColumnElement[bool]:
    """Rows strictly past ``after`` in the key's order: (a, b) > (x, y) spelt out as
    a > x OR (a = x AND b > y), which both databases plan on an index of (a, b)."""
    clauses = [
        and_(*(key[j] == after[j] for j in range(i)), _past(key[i], after[i], desc))
        for i in range(len(key))
    ]
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


def _past(column: InstrumentedAttribute[Any], value: Any, desc: bool) -> ColumnElement[bool]:
    past: ColumnElement[bool] = column < value if desc else column > value
    return past


def _page(rows: list[Any], key: KeyColumns, limit: int) -> KeysetPage[Any]:
    if len(rows) < limit or not rows:
        return KeysetPage(rows, None)
    return KeysetPage(rows, tuple(getattr(rows[-1], column.key) for column in key))


async def read_page(
    session: AsyncSession,
    stmt: Select[R],
    key: KeyColumns,
    *,
    after: Key | None,
    limit: int,
    desc: bool = False,
) -> KeysetPage[R]:
    """A page of the entities ``stmt`` selects, ordered by ``key`` (descending with
    ``desc``), after the key ``after``."""
    rows = list((await session.execute(_ordered(stmt, key, after, limit, desc))).scalars())
    return _page(rows, key, limit)


async def read_row_page(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]],
    key: KeyColumns,
    *,
    after: Key | None,
    limit: int,
    desc: bool = False,
) -> KeysetPage[Row[Any]]:
    """As ``read_page``, for a select of columns: plain rows, read on the session's
    connection without the ORM's result processing (the key's columns must be selected)."""
    connection = await session.connection()
    rows = list((await connection.execute(_ordered(stmt, key, after, limit, desc))).all())
    return _page(rows, key, limit)
