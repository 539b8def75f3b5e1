"""Moving a pool membership from one state to another: the one place that does it.

:func:`move_membership` checks the move against the membership life cycle
(``app.states.membership``), sets the state with its reason and who decided when, and writes
the event for the center's systems (outbox) and the audit record ``pool.<status>`` in the
same transaction. The caller holds the membership's lock.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import PoolMembership
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.events.subjects import membership_changed
from app.states.codes import MembershipStatus
from app.states.membership import MEMBERSHIP_LIFECYCLE, MembershipAction


async def move_membership(
    session: AsyncSession,
    membership: PoolMembership,
    target: MembershipStatus,
    *,
    actor: Actor,
    reason: str | None,
) -> MembershipAction:
    """Move ``membership`` to ``target`` (409 ``invalid_transition`` when its life cycle does
    not allow it); returns the action the move amounts to."""
    previous = MembershipStatus(membership.status)
    action = MEMBERSHIP_LIFECYCLE.ensure(previous, target)
    now = now_utc()
    membership.status, membership.status_reason = target, reason
    if target is MembershipStatus.WITHDRAWN:
        membership.withdrawn_at, membership.withdrawn_by = now, actor.sub
    else:
        membership.decided_at, membership.decided_by = now, actor.sub
    await session.flush()
    membership_changed(session, membership)
    audit.record(
        session,
        actor=actor,
        action=f"pool.{target.value}",
        object_type="pool_membership",
        object_id=membership.id,
        changes={"from": previous.value, "to": target.value, "reason": reason},
    )
    return action
