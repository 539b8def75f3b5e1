"""Appending to a case's timeline, in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Case, CaseEvent
from app.domain.audit.redaction import redact
from app.domain.auth.actor import Actor


def new_event(
    *,
    case: Case,
    type: str,
    actor: Actor | None,
    from_status: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """An event not yet stored (intake writes its first event with the case's rows)."""
    return CaseEvent(
        case_id=case.id,
        type=type,
        from_status=from_status,
        to_status=to_status,
        actor_sub=actor.sub if actor else None,
        actor_role=actor.role.value if actor else None,
        # The timeline is shown to everyone who may read the case: never personal data in it.
        data=redact(data or {}),
    )


def append_event(
    session: AsyncSession,
    *,
    case: Case,
    type: str,
    actor: Actor | None,
    from_status: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    event = new_event(
        case=case,
        type=type,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )
    session.add(event)
    return event
