"""The outbox (SPEC 2.16): the one writer of events.

Every change another system may act on writes its event here, in the same transaction as
the change: ``record_event`` adds the row to the session, so it is flushed and committed
with the change or rolled back with it. The intake, whose rows go straight to the driver,
takes a ready row from ``event_row`` and writes it in its own statement
(``app/db/repositories/case_intake.py``).

``data`` is the object as the API shows it (a response schema), with personal data masked
again here, whatever the schema already did: identity numbers and phones by field name and
by shape in any text, and applicants' names.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Event
from app.db.types import new_id
from app.domain.common.masking import mask_id_number, mask_phone, mask_sensitive_text
from app.states.codes import EventType

Subject = tuple[str, uuid.UUID]
"""What the event is about: (``case`` | ``assignment`` | …, its id)."""


def mask_name(name: str) -> str:
    """``王某某`` -> ``王**``: the family name stays, so that people can still tell cases
    apart, the given name does not."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


# Identifiers and times as schemas render them: never personal data, and masking them as
# free text could mistake a run of digits in a UUID for a phone number.
_NOT_FREE_TEXT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_ANY_DIGIT = re.compile(r"[0-9]")


@functools.cache
def _key_kind(key: str) -> str:
    """How a field is masked by its name: an identity number, a phone, or free text."""
    if any(k in key for k in ("id_number", "credit_code_number")):
        return "id"
    if any(k in key for k in ("phone", "mobile", "telephone")):
        return "phone"
    return "text"


def _masked(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        kind = _key_kind(key)
        if kind == "id":
            return mask_id_number(value)
        if kind == "phone":
            return mask_phone(value)
        if not _ANY_DIGIT.search(value) or _NOT_FREE_TEXT.fullmatch(value):
            return value
        return mask_sensitive_text(value)
    if isinstance(value, dict):
        if key == "applicants" and isinstance(value.get("name"), str):  # an applicant
            value = {**value, "name": mask_name(value["name"])}
        return {str(k): _masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v, key) for v in value]
    return value


def event_data(data: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of an event's ``data``: the schema's JSON form, personal data masked (by
    field name, and by shape in any free text)."""
    plain = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
    masked: dict[str, Any] = _masked(plain)
    return masked


def event_row(
    type: EventType, subject: Subject, data: BaseModel | Mapping[str, Any]
) -> dict[str, Any]:
    """An event's column values, for writers that insert it themselves (the intake)."""
    subject_type, subject_id = subject
    return {
        "id": new_id(),
        "type": type.value,
        "occurred_at": now_utc(),
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "data": event_data(data),
    }


def record_event(
    session: AsyncSession,
    type: EventType,
    subject: Subject,
    data: BaseModel | Mapping[str, Any],
) -> Event:
    """Write an event with the session's transaction: committed with the change it
    describes, or rolled back with it."""
    event = Event(**event_row(type, subject, data))
    session.add(event)
    return event
