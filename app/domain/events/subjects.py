"""One line per kind of change: the event of a case, assignment, pool membership, lawyer
or outcome, with ``data`` in the schema the API answers with (SPEC 2.16).

A case's events carry the case as ``GET /cases`` lists it (``CaseSummary``): the same
for every reader and cheap to build; the full record is ``GET /cases/{id}``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Activity,
    Assignment,
    Case,
    CaseOutcome,
    Event,
    Honour,
    PoolMembership,
)
from app.domain.activities.schemas import ActivityOut
from app.domain.cases.schemas import CaseSummary
from app.domain.dispatch.schemas import AssignmentOut
from app.domain.evaluation.schemas import HonourOut
from app.domain.events.outbox import event_row, record_event
from app.domain.outcomes.schemas import outcome_view
from app.domain.pool.schemas import MembershipOut
from app.domain.registry.schemas import LawyerOut
from app.states.codes import EventType


def case_changed(session: AsyncSession, type: EventType, case: Case, **extra: Any) -> None:
    """``case.*``: the case as lists show it, plus ``extra`` fields (e.g. the deadline that
    raised a warning)."""
    session.add(Event(**case_changed_row(type, case, **extra)))


def case_changed_row(type: EventType, case: Case, **extra: Any) -> dict[str, Any]:
    """``case_changed``'s event as column values, for a caller that writes it itself."""
    data = CaseSummary.model_validate(case).model_dump(mode="json")
    return event_row(type, ("case", case.id), {**data, **extra})


def assignment_changed(session: AsyncSession, type: EventType, assignment: Assignment) -> None:
    record_event(
        session, type, ("assignment", assignment.id), AssignmentOut.model_validate(assignment)
    )


def membership_changed(session: AsyncSession, membership: PoolMembership) -> None:
    record_event(
        session,
        EventType.POOL_MEMBERSHIP_CHANGED,
        ("pool_membership", membership.id),
        MembershipOut.model_validate(membership),
    )


def certificate_changed(session: AsyncSession, lawyer: LawyerOut) -> None:
    record_event(session, EventType.LAWYER_CERTIFICATE_CHANGED, ("lawyer", lawyer.id), lawyer)


def outcome_recorded(session: AsyncSession, outcome: CaseOutcome) -> None:
    record_event(
        session, EventType.OUTCOME_RECORDED, ("case", outcome.case_id), outcome_view(outcome)
    )


def activity_confirmed(session: AsyncSession, activity: Activity) -> None:
    """``activity.confirmed``: the archive and the evaluation count it from now on."""
    record_event(
        session,
        EventType.ACTIVITY_CONFIRMED,
        ("activity", activity.id),
        ActivityOut.model_validate(activity),
    )


def honour_awarded(session: AsyncSession, honour: Honour) -> None:
    record_event(
        session, EventType.HONOUR_AWARDED, ("honour", honour.id), HonourOut.model_validate(honour)
    )
