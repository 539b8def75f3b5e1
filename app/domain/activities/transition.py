"""Moving an activity from one state to another: the one place that does it.

:func:`move_activity` checks the move against the activity life cycle
(``app.states.activity``), sets the state with the officer's note and who decided when,
bumps the version (the ETag), and writes the audit record ``activity.<action>`` and, for a
confirmation, the ``activity.confirmed`` event in the same transaction. The caller holds the
activity's lock.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Activity
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.events.subjects import activity_confirmed
from app.states.activity import ACTIVITY_LIFECYCLE, ActivityAction
from app.states.codes import ActivityStatus


async def move_activity(
    session: AsyncSession,
    activity: Activity,
    target: ActivityStatus,
    *,
    actor: Actor,
    action: ActivityAction | None = None,
    note: str | None = None,
    changed: list[str] | None = None,
) -> ActivityAction:
    """Move ``activity`` to ``target`` (409 ``invalid_transition`` when its life cycle does not
    allow it); returns the action the move amounts to. ``changed`` names the fields a
    correction changed, for the audit record (never their values: they may name people)."""
    previous = activity.status
    done = ACTIVITY_LIFECYCLE.ensure(previous, target, action=action)
    activity.status = target
    activity.status_note = note if done is ActivityAction.RETURN else None
    if done in (ActivityAction.CONFIRM, ActivityAction.RETURN):
        activity.decided_at, activity.decided_by = now_utc(), actor.sub
    activity.version += 1
    await session.flush()
    if target is ActivityStatus.CONFIRMED:
        activity_confirmed(session, activity)
    audit.record(
        session,
        actor=actor,
        action=f"activity.{done.value}",
        object_type="activity",
        object_id=activity.id,
        changes={"from": previous.value, "to": target.value, "fields": changed or []},
    )
    return done
