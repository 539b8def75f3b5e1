"""Cursor pagination: opaque cursors that carry the keyset position of the last item."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import orjson

from app.domain.common.schema import OutputModel
from app.errors import ValidationFailed

T = TypeVar("T")


class Page(OutputModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        value = None
    if not isinstance(value, dict):
        raise ValidationFailed.of_field("query.cursor", "the cursor is not valid", "invalid_cursor")
    return value


def cursor_uuid(cursor: str | None, key: str = "id") -> uuid.UUID | None:
    """The id position of an id-ordered list's cursor."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return uuid.UUID(str(position[key]))
    except (KeyError, ValueError):
        raise ValidationFailed.of_field(
            "query.cursor", "the cursor is not valid", "invalid_cursor"
        ) from None


def next_cursor(items: list[Any], limit: int, position: Any) -> str | None:
    """A cursor after the last item when the page is full (there may be more)."""
    if len(items) < limit or not items:
        return None
    return encode_cursor(position(items[-1]))


def cursor_keyset(
    cursor: str | None, fields: tuple[tuple[str, Callable[[Any], Any]], ...]
) -> tuple[Any, ...] | None:
    """The keyset position of a cursor, each field parsed by its function (422 when any is
    missing or does not parse)."""
    position = decode_cursor(cursor)
    if position is None:
        return None
    try:
        return tuple(parse(position[name]) for name, parse in fields)
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed.of_field(
            "query.cursor", "the cursor is not valid", "invalid_cursor"
        ) from None
