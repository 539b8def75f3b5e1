"""Portable column types: the same model runs on PostgreSQL and SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

import uuid_utils
from sqlalchemy import JSON, DateTime, Dialect, String, TextClause, TypeDecorator, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB


def new_id() -> uuid.UUID:
    """A time-ordered UUID (v7): keyset pagination and B-tree inserts stay local."""
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as
    naive UTC and the zone is put back on the way out. A naive value is refused: silently
    guessing its zone is how deadlines end up eight hours off.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


GUID = Uuid(as_uuid=True)
# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def code_column_type(length: int = 40) -> String:
    """Enums are stored as their snake_case code in plain text: adding a code is data, not
    an ALTER TYPE, and both databases read the same."""
    return String(length)


E = TypeVar("E", bound=StrEnum)


class Code(TypeDecorator[E], Generic[E]):
    """A column of one enum's codes, stored as the plain text of ``code_column_type``.

    The model's attribute is typed with the enum (``Mapped[CaseStatus]``), so a misspelt
    status is a type error; a value that is not one of the enum's codes is refused before it
    reaches the database, and what is read comes back as the enum's member. The stored text
    is the same as before (no data migration).
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 40) -> None:
        super().__init__(length)
        self.enum = enum
        self.length = length

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self.enum(value)

    @property
    def python_type(self) -> type[E]:
        return self.enum


def codes_in(column: str, codes: Iterable[StrEnum]) -> TextClause:
    """``column IN ('a', 'b')`` for a partial index, the codes in their enum's order."""
    listed = sorted(codes, key=lambda code: list(type(code).__members__.values()).index(code))
    return text(f"{column} IN ({', '.join(repr(code.value) for code in listed)})")
