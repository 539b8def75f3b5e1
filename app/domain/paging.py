"""Pages of every list: the opaque cursor and the page it ends.

A cursor is the key of the last item shown, as URL-safe base64 of a small JSON object
without padding (``{"id": "…"}``, ``{"at": "…", "id": "…"}``), so that clients treat it as
opaque and the keys can change without their noticing. A cursor that does not decode, or
lacks a part of its list's key, is 422 ``invalid_cursor`` on the parameter that carried it.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import orjson

from app.db.repositories.paging import Key, KeysetPage
from app.domain.common.schema import OutputModel
from app.errors import ValidationFailed

T = TypeVar("T")
R = TypeVar("R")


class Page(OutputModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("not a position")
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Cursor:
    """One list's cursor: each part of its key under a name, with how it is read back."""

    parts: tuple[tuple[str, Callable[[Any], Any]], ...]
    param: str = "query.cursor"

    def decode(self, cursor: str | None) -> Key | None:
        """The key a cursor carries (None without one); 422 when it is not one of ours."""
        if cursor is None:
            return None
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            position = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(position, dict):
                raise ValueError("not an object")
            return tuple(read(position[name]) for name, read in self.parts)
        except (binascii.Error, KeyError, TypeError, ValueError):  # JSONDecodeError included
            raise ValidationFailed.of_field(
                self.param, "the cursor is not valid", "invalid_cursor"
            ) from None

    def encode(self, key: Key) -> str:
        position = {name: _plain(v) for (name, _), v in zip(self.parts, key, strict=True)}
        return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")

    def page(self, found: KeysetPage[R], item: Callable[[R], T]) -> Page[T]:
        """The page as the API shows it: its items, and a cursor to the next one when full."""
        return Page(
            items=[item(row) for row in found.rows],
            next_cursor=None if found.next_key is None else self.encode(found.next_key),
        )


BY_ID = Cursor((("id", _uuid),))
BY_SEQ = Cursor((("seq", _count),))
BY_TIME = Cursor((("at", datetime.fromisoformat), ("id", _uuid)))
BY_START = Cursor((("from", date.fromisoformat), ("id", _uuid)))
# The event feed's cursor, given as ``after``: a position in the feed.
BY_POSITION = Cursor((("p", _count),), param="query.after")
