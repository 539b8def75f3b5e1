"""Declarative base with a constraint naming convention, so that migrations on both
databases name constraints the same way and batch mode on SQLite can find them."""

import functools
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def column_values(obj: Base) -> dict[str, Any]:
    """A new object's column values as a Core INSERT takes them. Unset attributes are left
    out, so that the columns' defaults apply."""
    state = obj.__dict__
    return {key: state[key] for key in _column_keys(obj.__table__) if key in state}


@functools.cache
def _column_keys(table: Any) -> tuple[str, ...]:
    # Iterating a table's columns builds a new list every time: intake asks for five rows'
    # values per case (issue 16).
    return tuple(c.key for c in table.columns)
