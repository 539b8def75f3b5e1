"""A step's writes in one statement: the change of one loaded row and the rows it adds.

A dispatch changes its case (state, version, time) and adds four rows: the assignment, the
timeline event, the audit record and the outbox event. Through the ORM's unit of work that is
five statements, each a round trip and a flush's worth of CPU (docs/performance.md, "The hot
path, v5"). ``Writes`` collects them and writes them as one statement of data-modifying CTEs
straight to the driver, inside the session's transaction; on SQLite (and wherever the driver
is not asyncpg) the session writes them as it always did. Nothing about atomicity changes:
the statement runs in the same transaction, before its commit.

What the statement does not do: fire SQLAlchemy's events or version checks (none of the
tables written here has any), or refresh server-side defaults (the rows carry every value;
the Python-side ones are filled in when a row is added).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, cast

import asyncpg
from sqlalchemy import Table, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.db.base import Base, column_values
from app.db.fast_insert import driver_connection, translated, typed_parameters


@dataclass
class Writes:
    """Collects what a step writes; :meth:`write` writes it all at once."""

    changed: Base | None = None
    changed_keys: tuple[str, ...] = ()
    added: list[Base] = field(default_factory=list)

    def change(self, obj: Base, *keys: str) -> None:
        """``obj`` (a loaded row, its new values already set on it) is written with these
        columns changed. A column set on it but not named here is written by the session's
        own flush, later: so a forgotten name costs a statement, never the change."""
        if self.changed is not None and self.changed is not obj:
            raise ValueError("one changed row per statement")
        for column in _on_update(cast(Table, obj.__table__)):  # as a flush would
            if column.key not in keys and column.key not in self.changed_keys:
                setattr(obj, column.key, _value_of(column.onupdate))
                keys += (column.key,)
        self.changed = obj
        self.changed_keys += tuple(k for k in keys if k not in self.changed_keys)

    def add(self, obj: Base) -> None:
        """A new row: the columns' Python-side defaults are filled in now, as a flush would
        (an id, a time, a version), so the object reads as written."""
        state = obj.__dict__
        for column in _defaulted(cast(Table, obj.__table__)):
            if column.key not in state:
                setattr(obj, column.key, _value_of(column.default))
        self.added.append(obj)

    async def write(self, session: AsyncSession) -> None:
        if self.changed is None and not self.added:
            return
        driver = await driver_connection(session)
        if driver is None or self._others_pending(session):
            # Changes the session holds besides these go first, as they would have (the
            # offer that just expired before a redispatch writes its replacement, say).
            session.add_all(self.added)
            await session.flush()
        else:
            await self._write_pg(driver)
        self.added = []
        self.changed, self.changed_keys = None, ()

    def _others_pending(self, session: AsyncSession) -> bool:
        return bool(session.new or session.deleted) or any(
            obj is not self.changed for obj in session.dirty
        )

    async def _write_pg(self, driver: asyncpg.Connection) -> None:
        changed = self.changed
        update = (cast(Table, changed.__table__), self.changed_keys) if changed else None
        rows = [column_values(obj) for obj in self.added]
        inserts = tuple(
            (cast(Table, obj.__table__), tuple(row))
            for obj, row in zip(self.added, rows, strict=True)
        )
        sql, converters = _statement(update, inserts)
        values: list[Any] = []
        if changed is not None:
            state = changed.__dict__
            values += [state[k] for k in self.changed_keys] + [state["id"]]
        for row in rows:
            values += row.values()
        args = [convert(value) for convert, value in zip(converters, values, strict=True)]
        try:
            updated = await driver.fetchval(sql, *args)
        except asyncpg.PostgresError as error:
            raise translated(error, sql) from error
        if changed is not None:
            if updated != 1:
                raise RuntimeError(f"{changed!r} was not found to be written")
            for key in self.changed_keys:  # written: nothing left for the session to flush
                set_committed_value(changed, key, changed.__dict__[key])
            state = inspect(changed)
            if not state.committed_state:
                # No change of it is left: it is as clean as after a flush (SQLAlchemy's own
                # step there), so the commit's flush has nothing to look at.
                state._commit_all(state.dict, state._instance_dict())


Shape = tuple[str, ...]


@functools.cache
def _defaulted(table: Table) -> tuple[Any, ...]:
    return tuple(c for c in table.columns if c.default is not None)


@functools.cache
def _on_update(table: Table) -> tuple[Any, ...]:
    return tuple(c for c in table.columns if c.onupdate is not None)


def _value_of(default: Any) -> Any:
    # A Python-side default: a value, or a callable SQLAlchemy wrapped to take a context.
    return default.arg if default.is_scalar else default.arg(None)


@functools.cache
def _statement(
    update: tuple[Table, Shape] | None, inserts: tuple[tuple[Table, Shape], ...]
) -> tuple[str, list[Any]]:
    """The statement for this shape of writes, and the converter of each parameter, in the
    order of the parameters: the changed columns and the row's id, then each row's values.
    Names come from the models' metadata; every value is a parameter."""
    parts: list[str] = []
    converters: list[Any] = []
    final = "SELECT NULL"
    if update is not None:
        table, keys = update
        params, converters = typed_parameters(table, (*keys, "id"), 1, check_defaults=False)
        columns = ", ".join(f'"{k}" = {p}' for k, p in zip(keys, params, strict=False))
        where = f'"id" = {params[-1]}'
        parts.append(f'u AS (UPDATE "{table.name}" SET {columns} WHERE {where} RETURNING 1)')  # noqa: S608
        final = "SELECT count(*) FROM u"
    for i, (table, keys) in enumerate(inserts):
        params, convert = typed_parameters(table, keys, len(converters) + 1)
        columns = ", ".join(f'"{k}"' for k in keys)
        parts.append(
            f'i{i} AS (INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join(params)}))'  # noqa: S608
        )
        converters = converters + convert
    sql = f"WITH {', '.join(parts)} {final}"
    return sql, converters
