"""Appending to a case's timeline, in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any, Required, TypedDict, Unpack

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Case, CaseEvent
from app.domain.audit.redaction import redact
from app.domain.auth.actor import Actor


class EventFields(TypedDict, total=False):
    """What a timeline event says; ``case``, ``type`` and ``actor`` are required."""

    case: Required[Case]
    type: Required[str]
    actor: Required[Actor | None]
    from_status: str | None
    to_status: str | None
    data: dict[str, Any] | None


def new_event(**fields: Unpack[EventFields]) -> CaseEvent:
    """An event not yet stored (intake writes its first event with the case's rows)."""
    actor = fields["actor"]
    return CaseEvent(
        case_id=fields["case"].id,
        type=fields["type"],
        from_status=fields.get("from_status"),
        to_status=fields.get("to_status"),
        actor_sub=actor.sub if actor else None,
        actor_role=actor.role.value if actor else None,
        # The timeline is shown to everyone who may read the case: never personal data in it.
        data=redact(fields.get("data") or {}),
    )


def append_event(session: AsyncSession, **fields: Unpack[EventFields]) -> CaseEvent:
    """A new event, added to the session (written with its transaction)."""
    event = new_event(**fields)
    session.add(event)
    return event
