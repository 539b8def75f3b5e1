"""Recording a case's outcome and what follows it (SPEC 2.8, Art. 7, 8, 12, 15, 18)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import SHANGHAI, now_utc, today_shanghai
from app.db.models import Case, CaseOutcome
from app.db.repositories import assignments as assignments_repo
from app.db.repositories import cases as cases_repo
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.calendar.service import current_calendar
from app.domain.cases.access import CENTER_ROLES
from app.domain.cases.intake import ID_FIELD, PHONE_FIELD, store_due_dates
from app.domain.cases.queries import get_visible_case
from app.domain.cases.timeline import append_event
from app.domain.cases.transition import Audited, move_case
from app.domain.common.crypto import FieldCipher
from app.domain.dispatch.transition import move_assignment
from app.domain.events.subjects import outcome_recorded
from app.domain.outcomes.schemas import (
    AGREEMENT_TYPES,
    OutcomeIn,
    PerformanceIn,
    ReopenIn,
    SatisfactionIn,
    TypicalNominationIn,
)
from app.domain.registry.lawyers import ensure_in_active_service
from app.domain.typical.deidentify import ensure_deidentified, traces_of
from app.errors import Conflict, Forbidden, ValidationFailed
from app.states.assignment import LIVE_OFFER_STATUSES
from app.states.case import CASE_LIFECYCLE, CaseAction, action_for_outcome, ensure_outcome_allowed
from app.states.codes import (
    RESOLVED_OUTCOMES,
    AssignmentStatus,
    CaseStatus,
    DispatchRole,
    EventType,
    OutcomeType,
    Role,
)


async def _presides(session: AsyncSession, case: Case, actor: Actor) -> bool:
    """Whether the actor is the case's accepted presiding mediator."""
    if actor.role is not Role.LAWYER:
        return False
    accepted = await assignments_repo.for_case(
        session, case.id, statuses=[AssignmentStatus.ACCEPTED.value]
    )
    return any(
        a.lawyer_id == actor.lawyer_id and a.role == DispatchRole.PRESIDING.value for a in accepted
    )


async def record_outcome(
    session: AsyncSession, *, actor: Actor, case_id: uuid.UUID, data: OutcomeIn
) -> tuple[Case, CaseOutcome]:
    """Close the case with its outcome; its accepted assignments complete and any offer
    still unanswered is withdrawn, in the same transaction."""
    case = await get_visible_case(session, actor=actor, case_id=case_id, for_update=True)
    if actor.role not in CENTER_ROLES and not await _presides(session, case, actor):
        raise Forbidden(
            "the outcome is recorded by the center or the accepted presiding mediator",
            code="not_presiding",
        )
    if actor.role is Role.LAWYER and actor.lawyer_id is not None:
        await ensure_in_active_service(session, actor.lawyer_id)
    current = CaseStatus(case.status)
    ensure_outcome_allowed(current, data.type)
    action = action_for_outcome(data.type)
    CASE_LIFECYCLE.ensure(current, CaseStatus.CLOSED, action=action)
    received_on = case.received_at.astimezone(SHANGHAI).date()
    if not received_on <= data.concluded_on <= today_shanghai():
        raise ValidationFailed.of_field(
            "concluded_on", "must lie between the day the case came in and today", "out_of_range"
        )
    assignments = await assignments_repo.for_case(session, case.id)
    on_case = {a.lawyer_id for a in assignments}
    strangers = [i for i, h in enumerate(data.hours) if h.lawyer_id not in on_case]
    if strangers:
        raise ValidationFailed(
            "hours name a lawyer not assigned to the case",
            errors=[
                {
                    "field": f"hours.{i}.lawyer_id",
                    "message": "not assigned to this case",
                    "code": "not_assigned",
                }
                for i in strangers
            ],
        )
    now = now_utc()
    for assignment in assignments:
        if assignment.status == AssignmentStatus.ACCEPTED:
            target = AssignmentStatus.COMPLETED
        elif assignment.status in LIVE_OFFER_STATUSES:
            target = AssignmentStatus.WITHDRAWN
        else:
            continue
        assignment.ended_at = now
        await move_assignment(session, case, assignment, target, actor=actor)
    outcome = CaseOutcome(
        case_id=case.id,
        type=data.type.value,
        concluded_on=data.concluded_on,
        summary=data.summary,
        agreement=data.agreement.model_dump(mode="json") if data.agreement else None,
        referral=data.referral.model_dump(mode="json") if data.referral else None,
        sessions=[s.model_dump(mode="json") for s in data.sessions],
        hours=[h.model_dump(mode="json") for h in data.hours],
        recorded_at=now,
        recorded_by=actor.sub,
    )
    session.add(outcome)
    await session.flush()
    outcome_recorded(session, outcome)
    case.outcome_type = data.type.value
    case.closed_at = now
    await move_case(
        session,
        case,
        CaseStatus.CLOSED,
        action=action,
        actor=actor,
        timeline="outcome_recorded",
        data={
            "outcome_id": outcome.id,
            "type": data.type.value,
            "resolved": data.type in RESOLVED_OUTCOMES,
        },
        event=EventType.CASE_CLOSED,
        audited=Audited("outcome", {"type": data.type.value, "concluded_on": data.concluded_on}),
    )
    return case, outcome


async def _closed_with_outcome(
    session: AsyncSession, actor: Actor, case_id: uuid.UUID
) -> tuple[Case, CaseOutcome]:
    case = await get_visible_case(session, actor=actor, case_id=case_id, for_update=True)
    outcome = await cases_repo.latest_outcome(session, case.id)
    if case.status != CaseStatus.CLOSED.value or outcome is None:
        raise Conflict(
            "this follows a recorded outcome; the case has none in force",
            code="no_outcome",
            extra={"current_status": case.status},
        )
    return case, outcome


async def _follow_up(
    session: AsyncSession,
    actor: Actor,
    case: Case,
    outcome: CaseOutcome,
    kind: str,
    changes: dict[str, Any],
) -> CaseOutcome:
    await session.flush()
    append_event(session, case=case, type=kind, actor=actor, data=changes)
    audit.record(
        session,
        actor=actor,
        action=f"case.{kind}",
        object_type="case",
        object_id=case.id,
        changes=changes,
    )
    return outcome


async def record_performance(
    session: AsyncSession, *, actor: Actor, case_id: uuid.UUID, data: PerformanceIn
) -> CaseOutcome:
    """履行情况: whether the agreement of a reconciliation or mediation was honoured."""
    case, outcome = await _closed_with_outcome(session, actor, case_id)
    if actor.role not in CENTER_ROLES:
        raise Forbidden("the center records performance", code="role_not_allowed")
    if OutcomeType(outcome.type) not in AGREEMENT_TYPES:
        raise Conflict(
            "only an agreement (reconciled or mediated) has a performance to record",
            code="no_agreement",
        )
    outcome.performance_status = data.status.value
    outcome.performance_recorded_at = now_utc()
    case.performance_status = outcome.performance_status  # the statistics' copy
    return await _follow_up(
        session, actor, case, outcome, "performance", {"status": data.status.value}
    )


async def record_satisfaction(
    session: AsyncSession, *, actor: Actor, case_id: uuid.UUID, data: SatisfactionIn
) -> CaseOutcome:
    case, outcome = await _closed_with_outcome(session, actor, case_id)
    if actor.role not in CENTER_ROLES:
        raise Forbidden("the center records satisfaction", code="role_not_allowed")
    outcome.satisfaction_score = data.score
    outcome.satisfaction_recorded_at = now_utc()
    case.satisfaction_score = data.score  # the statistics' copy
    return await _follow_up(session, actor, case, outcome, "satisfaction", {"score": data.score})


async def nominate_typical(
    session: AsyncSession,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    data: TypicalNominationIn,
    cipher: FieldCipher,
) -> CaseOutcome:
    """典型案例 (Art. 18): a resolved case put forward for the bureau's selection, with the
    de-identified title and summary that would be published (SPEC 2.13)."""
    case, outcome = await _closed_with_outcome(session, actor, case_id)
    if OutcomeType(outcome.type) not in RESOLVED_OUTCOMES:
        raise Conflict("only a resolved case can be a typical case", code="not_resolved")
    if outcome.typical_nominated_at is not None:
        raise Conflict("the case is already nominated", code="already_nominated")
    applicants = await cases_repo.applicants_of(session, case.id)
    numbers = [cipher.decrypt(a.id_number_sealed, field=ID_FIELD) for a in applicants]
    numbers += [
        cipher.decrypt(a.phone_sealed, field=PHONE_FIELD) for a in applicants if a.phone_sealed
    ]
    title = data.title or case.title
    ensure_deidentified(
        {"title": title, "summary": data.summary},
        traces_of((a.name for a in applicants), numbers),
    )
    outcome.typical_nominated_at = now_utc()
    outcome.typical_nominated_by = actor.sub
    outcome.typical_reason = data.reason
    outcome.typical_title, outcome.typical_summary = title, data.summary
    return await _follow_up(
        session, actor, case, outcome, "typical_nomination", {"reason": data.reason}
    )


async def reopen(
    session: AsyncSession, *, actor: Actor, case_id: uuid.UUID, data: ReopenIn
) -> Case:
    """Back to mediation when a presiding mediator had completed the case (they resume),
    otherwise back to classification."""
    case = await get_visible_case(session, actor=actor, case_id=case_id, for_update=True)
    current = CaseStatus(case.status)
    assignments = await assignments_repo.for_case(
        session, case.id, statuses=[AssignmentStatus.COMPLETED.value]
    )
    presiding = [a for a in assignments if a.role == DispatchRole.PRESIDING.value]
    target = CaseStatus.IN_MEDIATION if presiding else CaseStatus.CLASSIFIED
    CASE_LIFECYCLE.ensure(current, target, action=CaseAction.REOPEN)
    now = now_utc()
    for assignment in assignments:
        assignment.ended_at = None
        await move_assignment(session, case, assignment, AssignmentStatus.ACCEPTED, actor=actor)
    outcome = await cases_repo.latest_outcome(session, case.id)
    if outcome is not None:
        outcome.reopened_at, outcome.reopen_reason = now, data.reason
    case.outcome_type = None
    case.closed_at = None
    case.satisfaction_score = case.performance_status = None
    # A calendar loaded while the case was closed did not recount it (only open cases are).
    store_due_dates(case, await current_calendar(session))
    await move_case(
        session,
        case,
        target,
        action=CaseAction.REOPEN,
        actor=actor,
        timeline="reopened",
        data={"reason": data.reason},
        event=EventType.CASE_REOPENED,
        audited=Audited("reopen", {"reason": data.reason, "to": target.value}),
    )
    return case
