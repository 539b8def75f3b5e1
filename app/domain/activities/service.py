"""Recording, correcting and confirming activities (履职活动, SPEC 2.11; Art. 7, 13, 14, 17).

Who records decides where a record starts: a lawyer's own is ``submitted`` for their
agency's officer to confirm or return; an officer's or the center's own is ``confirmed`` at
once. Every change of state goes through :func:`move_activity`.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc, today_shanghai
from app.db.models import Activity, ActivityLawyer
from app.db.repositories import activities as repo
from app.db.repositories.activities import ActivityFilters as ActivityFilters
from app.domain.activities.rules import (
    ActivityFacts,
    check_facts,
    confirmed_at_once,
    may_correct,
    may_decide,
    may_read,
)
from app.domain.activities.schemas import ActivityIn, ActivityOut, ActivityPatch
from app.domain.activities.transition import move_activity
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.events.subjects import activity_confirmed
from app.domain.paging import BY_ID, Page
from app.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from app.states.activity import ACTIVITY_LIFECYCLE, ActivityAction
from app.states.codes import ActivityStatus, Role


def etag(activity: Activity) -> str:
    return f'"{activity.id}.{activity.version}"'


async def _recording_agency(
    session: AsyncSession, actor: Actor, requested: uuid.UUID | None, lawyer_ids: list[uuid.UUID]
) -> tuple[uuid.UUID, bool]:
    """The agency a record belongs to, and whether it is the center (whose records may name
    any lawyer). 403 when the caller may not record for it (SPEC 4.2)."""
    centers = await repo.reconciliation_centers(session)
    if actor.role is Role.LAWYER:
        if lawyer_ids != [actor.lawyer_id]:
            raise Forbidden("a lawyer records only their own activities", code="not_own")
        found = await repo.agencies_of_lawyers(session, lawyer_ids, active_only=True)
        own = found.get(lawyer_ids[0])
        if own is None:
            raise Forbidden("your lawyer record is not active", code="not_own")
        if requested not in (None, own):
            raise Forbidden("a lawyer records for their own agency", code="not_own_agency")
        return own, own in centers
    if actor.role is Role.AGENCY_OFFICER:
        assert actor.agency_id is not None
        if requested not in (None, actor.agency_id):
            raise Forbidden("an agency records its own activities", code="not_own_agency")
        return actor.agency_id, actor.agency_id in centers
    if requested is None:
        if len(centers) != 1:
            raise ValidationFailed.of_field("agency_id", "name the recording agency", "required")
        requested = centers[0]
    if actor.role is Role.CENTER_COORDINATOR and requested not in centers:
        raise Forbidden("the center records its own activities", code="not_own_agency")
    if await repo.active_agency(session, requested) is None:
        raise ValidationFailed.of_field("agency_id", "no such active agency", "unknown_agency")
    return requested, requested in centers


async def _check_lawyers(
    session: AsyncSession, lawyer_ids: list[uuid.UUID], *, agency_id: uuid.UUID, is_center: bool
) -> None:
    found = await repo.agencies_of_lawyers(session, lawyer_ids, active_only=True)
    for lawyer_id in lawyer_ids:
        if lawyer_id not in found:
            raise ValidationFailed.of_field(
                "lawyer_ids", f"no active lawyer {lawyer_id}", "unknown_lawyer"
            )
        if not is_center and found[lawyer_id] != agency_id:
            raise ValidationFailed.of_field(
                "lawyer_ids",
                f"lawyer {lawyer_id} is not of the recording agency",
                "lawyer_not_of_agency",
            )


def _facts(activity: Activity) -> ActivityFacts:
    return ActivityFacts(
        kind=activity.kind,
        occurred_on=activity.occurred_on,
        lawyer_ids=activity.lawyer_ids,
        hours=activity.hours,
        venue_type=activity.venue_type,
        publication=activity.publication,
        role=activity.mediation_role,
    )


async def record(session: AsyncSession, *, actor: Actor, body: ActivityIn) -> Activity:
    agency_id, is_center = await _recording_agency(session, actor, body.agency_id, body.lawyer_ids)
    facts = ActivityFacts(
        kind=body.kind,
        occurred_on=body.occurred_on,
        lawyer_ids=body.lawyer_ids,
        hours=body.hours,
        venue_type=body.venue_type,
        publication=body.publication,
        role=body.role,
    )
    check_facts(facts, today=today_shanghai())
    await _check_lawyers(session, body.lawyer_ids, agency_id=agency_id, is_center=is_center)
    activity = Activity(
        kind=body.kind,
        agency_id=agency_id,
        occurred_on=body.occurred_on,
        title=body.title,
        description=body.description,
        quantity=body.quantity,
        participants=body.participants,
        hours=body.hours,
        location=body.location,
        venue_type=body.venue_type,
        campaign=body.campaign,
        publication=body.publication,
        mediation_role=body.role,
        recorded_by=actor.sub,
        recorded_by_lawyer_id=actor.lawyer_id if actor.role is Role.LAWYER else None,
        version=1,
        lawyers=[ActivityLawyer(lawyer_id=x, position=i) for i, x in enumerate(body.lawyer_ids)],
    )
    if confirmed_at_once(actor):
        activity.status = ActivityStatus.CONFIRMED
        activity.decided_at, activity.decided_by = now_utc(), actor.sub
    else:
        activity.status = ActivityStatus.SUBMITTED
    session.add(activity)
    await session.flush()
    if activity.status is ActivityStatus.CONFIRMED:
        activity_confirmed(session, activity)
    audit.record(
        session,
        actor=actor,
        action="activity.record",
        object_type="activity",
        object_id=activity.id,
        changes={"kind": activity.kind.value, "status": activity.status.value},
    )
    return activity


async def get_visible(
    session: AsyncSession, *, actor: Actor, activity_id: uuid.UUID, for_update: bool = False
) -> Activity:
    """The activity, or 404 when it does not exist or the caller may not read it."""
    activity = await repo.get(session, activity_id, for_update=for_update)
    if activity is not None:
        agencies = await repo.agencies_of_lawyers(session, activity.lawyer_ids, active_only=False)
        if may_read(
            actor,
            agency_id=activity.agency_id,
            lawyer_agencies=set(agencies.values()),
            lawyer_ids=activity.lawyer_ids,
        ):
            return activity
    raise NotFound("no such activity", code="not_found")


async def list_activities(
    session: AsyncSession,
    *,
    actor: Actor,
    filters: ActivityFilters,
    cursor: str | None,
    limit: int,
) -> Page[ActivityOut]:
    """A page of the activities the caller may read (narrowed in the query, SPEC 4.2)."""
    visibility = None
    if actor.role is Role.AGENCY_OFFICER:
        visibility = repo.visible_to(agency_id=actor.agency_id, lawyer_id=None)
    elif actor.role is Role.LAWYER:
        visibility = repo.visible_to(agency_id=None, lawyer_id=actor.lawyer_id)
    found = await repo.list_page(
        session, filters=filters, visibility=visibility, after=BY_ID.decode(cursor), limit=limit
    )
    return BY_ID.page(found, ActivityOut.model_validate)


async def _decide(
    session: AsyncSession,
    *,
    actor: Actor,
    activity_id: uuid.UUID,
    target: ActivityStatus,
    note: str | None,
) -> Activity:
    activity = await get_visible(session, actor=actor, activity_id=activity_id, for_update=True)
    if not may_decide(actor, agency_id=activity.agency_id):
        raise Forbidden("the recording agency's officer decides", code="not_own_agency")
    await move_activity(session, activity, target, actor=actor, note=note)
    return activity


async def confirm(session: AsyncSession, *, actor: Actor, activity_id: uuid.UUID) -> Activity:
    return await _decide(
        session, actor=actor, activity_id=activity_id, target=ActivityStatus.CONFIRMED, note=None
    )


async def return_to_recorder(
    session: AsyncSession, *, actor: Actor, activity_id: uuid.UUID, note: str
) -> Activity:
    return await _decide(
        session, actor=actor, activity_id=activity_id, target=ActivityStatus.RETURNED, note=note
    )


async def _correctable(session: AsyncSession, *, actor: Actor, activity_id: uuid.UUID) -> Activity:
    activity = await get_visible(session, actor=actor, activity_id=activity_id, for_update=True)
    if not may_correct(
        actor, agency_id=activity.agency_id, recorded_by_lawyer_id=activity.recorded_by_lawyer_id
    ):
        raise Forbidden(
            "the lawyer who recorded it or the recording agency corrects it", code="not_own"
        )
    return activity


async def withdraw(session: AsyncSession, *, actor: Actor, activity_id: uuid.UUID) -> Activity:
    activity = await _correctable(session, actor=actor, activity_id=activity_id)
    await move_activity(session, activity, ActivityStatus.WITHDRAWN, actor=actor)
    return activity


async def correct(
    session: AsyncSession,
    *,
    actor: Actor,
    activity_id: uuid.UUID,
    patch: ActivityPatch,
    if_match: str | None,
) -> Activity:
    """Correct a submitted or returned record (If-Match: its ETag); it is ``submitted`` again."""
    activity = await _correctable(session, actor=actor, activity_id=activity_id)
    if if_match is None:
        raise PreconditionRequired(
            "send If-Match with the activity's ETag", code="if_match_required"
        )
    if if_match.strip() not in ("*", etag(activity), f"W/{etag(activity)}"):
        raise PreconditionFailed(
            "the activity has changed since you read it; read it again", code="etag_mismatch"
        )
    changes = patch.changes()
    for name in ActivityPatch.NOT_NULLABLE:
        if name in changes and changes[name] is None:
            raise ValidationFailed.of_field(name, "may not be null", "null_not_allowed")
    # Refuse a correction of a confirmed record before looking at what it says.
    ACTIVITY_LIFECYCLE.ensure(
        activity.status, ActivityStatus.SUBMITTED, action=ActivityAction.CORRECT
    )
    merged = replace(_facts(activity), **{k: v for k, v in changes.items() if k in _FACT_FIELDS})
    check_facts(merged, today=today_shanghai())
    if "lawyer_ids" in changes:
        if actor.role is Role.LAWYER and merged.lawyer_ids != [actor.lawyer_id]:
            raise Forbidden("a lawyer records only their own activities", code="not_own")
        centers = await repo.reconciliation_centers(session)
        await _check_lawyers(
            session,
            merged.lawyer_ids,
            agency_id=activity.agency_id,
            is_center=activity.agency_id in centers,
        )
        _relink(activity, merged.lawyer_ids)
    for name, value in changes.items():
        if name != "lawyer_ids":
            setattr(activity, "mediation_role" if name == "role" else name, value)
    await move_activity(
        session,
        activity,
        ActivityStatus.SUBMITTED,
        actor=actor,
        action=ActivityAction.CORRECT,
        changed=sorted(changes),
    )
    return activity


_FACT_FIELDS = frozenset(
    {"kind", "occurred_on", "lawyer_ids", "hours", "venue_type", "publication", "role"}
)


def _relink(activity: Activity, lawyer_ids: list[uuid.UUID]) -> None:
    """Keep the links of lawyers still named (their primary keys stay), drop the others, add
    the new ones, in the order given."""
    kept = {link.lawyer_id: link for link in activity.lawyers}
    links = []
    for position, lawyer_id in enumerate(lawyer_ids):
        link = kept.get(lawyer_id) or ActivityLawyer(lawyer_id=lawyer_id)
        link.position = position
        links.append(link)
    activity.lawyers = links
