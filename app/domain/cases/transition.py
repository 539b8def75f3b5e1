"""Moving a case from one state to another: the one place that does it.

Every change of a case's state goes through :func:`move_case`, which checks the move against
the case life cycle (``app.states.case``), sets the state and the version, and writes what
the change leaves behind in the same transaction: the timeline event, the event for the
center's systems (outbox) when there is one, and the audit record when the step is audited
as the case's own. The caller sets the fields particular to its step (an outcome's type, a
classification's findings) before calling.

With ``writes`` (``app.db.writes``), nothing is written yet: the case's change and the rows
it leaves behind are collected there, for the caller to write with its own rows in one
statement (dispatch, on the hot path). Without it, the session writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Case, Event
from app.db.writes import Writes
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.cases.timeline import append_event, new_event
from app.domain.events.subjects import case_changed, case_changed_row
from app.states.case import CASE_LIFECYCLE, CaseAction
from app.states.codes import CaseStatus, EventType


@dataclass(frozen=True)
class Audited:
    """The audit record a step writes about the case: ``case.<action>`` with its changes."""

    action: str
    changes: Mapping[str, Any] | None = None


async def move_case(
    session: AsyncSession,
    case: Case,
    target: CaseStatus,
    *,
    action: CaseAction,
    actor: Actor | None,
    timeline: str,
    data: Mapping[str, Any] | None = None,
    event: EventType | None = None,
    audited: Audited | None = None,
    writes: Writes | None = None,
) -> CaseStatus:
    """Move ``case`` to ``target`` by ``action`` (409 ``invalid_transition`` when the life
    cycle does not allow it); returns the state it left. ``timeline`` names the timeline
    event, ``event`` the outbox event (``case.*``) and ``audited`` the audit record, when
    the step has them. The caller holds the case's lock."""
    previous = CaseStatus(case.status)
    CASE_LIFECYCLE.ensure(previous, target, action=action)
    case.status = target
    case.version += 1
    case.updated_at = now_utc()
    fields: dict[str, Any] = {
        "case": case,
        "type": timeline,
        "actor": actor,
        "from_status": previous.value,
        "to_status": target.value,
        "data": dict(data or {}),
    }
    changes = dict(audited.changes) if audited and audited.changes is not None else None
    if writes is not None:
        writes.change(case, "status", "version", "updated_at")
        writes.add(new_event(**fields))
        if event is not None:
            writes.add(Event(**case_changed_row(event, case)))
        if audited is not None:
            writes.add(_audit_record(actor, audited.action, case, changes))
        return previous
    await session.flush()
    append_event(session, **fields)
    if event is not None:
        case_changed(session, event, case)
    if audited is not None:
        session.add(_audit_record(actor, audited.action, case, changes))
    return previous


def _audit_record(
    actor: Actor | None, action: str, case: Case, changes: dict[str, Any] | None
) -> Any:
    return audit.new_record(
        actor=actor,
        action=f"case.{action}",
        object_type="case",
        object_id=case.id,
        changes=changes,
    )


async def note_on_case(
    session: AsyncSession,
    case: Case,
    *,
    actor: Actor | None,
    timeline: str,
    data: Mapping[str, Any] | None = None,
    writes: Writes | None = None,
) -> None:
    """A step that changes the case without moving it (a participating mediator offered or
    accepting): the version, and a timeline event that names the state it stays in."""
    case.version += 1
    case.updated_at = now_utc()
    fields: dict[str, Any] = {
        "case": case,
        "type": timeline,
        "actor": actor,
        "from_status": CaseStatus(case.status).value,
        "to_status": None,
        "data": dict(data or {}),
    }
    if writes is not None:
        writes.change(case, "version", "updated_at")
        writes.add(new_event(**fields))
        return
    await session.flush()
    append_event(session, **fields)
