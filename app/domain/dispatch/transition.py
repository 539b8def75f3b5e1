"""Moving an assignment (委派) from one state to another: the one place that does it.

:func:`move_assignment` checks the move against the assignment life cycle
(``app.states.assignment``), sets the state and the version, and writes what the step leaves
behind in the same transaction: the event for the center's systems (outbox), the timeline
event on the case and the audit record ``assignment.<action>``, each when the step has one.
The caller holds the case's and the assignment's locks and sets the fields particular to its
step (a decline's reason, a new answer window) before calling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Assignment, Case
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.cases.timeline import append_event
from app.domain.cases.transition import Audited
from app.domain.events.subjects import assignment_changed
from app.states.assignment import ASSIGNMENT_LIFECYCLE, AssignmentAction
from app.states.codes import AssignmentStatus, EventType


async def move_assignment(
    session: AsyncSession,
    case: Case,
    assignment: Assignment,
    target: AssignmentStatus,
    *,
    actor: Actor | None,
    event: EventType | None = None,
    timeline: str | None = None,
    data: Mapping[str, Any] | None = None,
    audited: Audited | None = None,
) -> AssignmentAction:
    """Move ``assignment`` to ``target`` (409 ``invalid_transition`` when its life cycle
    does not allow it); returns the action the move amounts to. ``event`` names the outbox
    event, ``timeline`` the event on the case's timeline (with ``data``), ``audited`` the
    audit record (``assignment.<action>``)."""
    action = ASSIGNMENT_LIFECYCLE.ensure(AssignmentStatus(assignment.status), target)
    assignment.status = target
    assignment.version += 1
    if event is None and timeline is None and audited is None:
        return action  # a step of a larger one, which writes the records (an outcome)
    await session.flush()
    if event is not None:
        assignment_changed(session, event, assignment)
    if timeline is not None:
        append_event(
            session,
            case=case,
            type=timeline,
            actor=actor,
            data={"assignment_id": assignment.id, **(data or {})},
        )
    if audited is not None:
        audit.record(
            session,
            actor=actor,
            action=f"assignment.{audited.action}",
            object_type="assignment",
            object_id=assignment.id,
            changes=dict(audited.changes) if audited.changes is not None else None,
        )
    return action
