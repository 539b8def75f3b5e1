"""The outbox (SPEC 2.16): the one writer of events.

Every change another system may act on writes its event here, in the same transaction as
the change: ``record_event`` adds the row to the session, so it is flushed and committed
with the change or rolled back with it. The intake, whose rows go straight to the driver,
takes a ready row from ``new_event`` and writes it in its own statement
(``app/db/repositories/case_intake.py``).

``data`` is the object as the API shows it (a response schema), with personal data masked
again here, whatever the schema already did: identity numbers and phones by field name and
by shape in any text, and applicants' names.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Event
from app.db.types import new_id, utcnow
from app.domain.audit.redaction import redact
from app.domain.common.enums import EventType

Subject = tuple[str, uuid.UUID | str]
"""What the event is about: (``case`` | ``assignment`` | …, its id)."""


def mask_name(name: str) -> str:
    """``王某某`` -> ``王**``: the family name stays, so that people can still tell cases
    apart, the given name does not."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def _masked(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        if key == "applicants" and isinstance(value.get("name"), str):  # an applicant
            value = {**value, "name": mask_name(str(value.get("name") or ""))}
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    return value


def event_data(data: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of an event's ``data``: the schema's JSON form, personal data masked."""
    plain = data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data)
    masked: dict[str, Any] = redact(_masked(plain))
    return masked


def new_event(type: EventType, subject: Subject, data: BaseModel | Mapping[str, Any]) -> Event:
    """An event row not yet stored (for writers that insert it themselves)."""
    subject_type, subject_id = subject
    return Event(
        id=new_id(),
        type=type.value,
        occurred_at=utcnow(),
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=event_data(data),
    )


def record_event(
    session: AsyncSession,
    type: EventType,
    subject: Subject,
    data: BaseModel | Mapping[str, Any],
) -> Event:
    """Write an event with the session's transaction: committed with the change it
    describes, or rolled back with it."""
    event = new_event(type, subject, data)
    session.add(event)
    return event
