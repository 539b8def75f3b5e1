"""Portable column types: the same model runs on PostgreSQL and SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import uuid_utils
from sqlalchemy import JSON, DateTime, Dialect, String, TypeDecorator, Uuid
from sqlalchemy.dialects.postgresql import JSONB


def new_id() -> uuid.UUID:
    """A time-ordered UUID (v7): keyset pagination and B-tree inserts stay local."""
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


def utcnow() -> datetime:
    return datetime.now(UTC)


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
