"""The lawyer's answer to an offer, the agency's Art. 9 ruling, and expiry (SPEC 2.7).

When a presiding offer ends without acceptance (declined, released, expired) the case goes
back to ``classified`` and, with ``auto_redispatch``, the next eligible lawyer gets an offer
at once — that side effect lives here, in one place, whatever ended the offer.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Assignment, Case
from app.db.repositories import assignments as repo
from app.db.repositories import cases as cases_repo
from app.db.repositories import registry as registry_repo
from app.domain.auth.actor import SYSTEM_ACTOR, Actor
from app.domain.cases.timeline import append_event
from app.domain.cases.transition import Audited, move_case, note_on_case
from app.domain.dispatch import service as dispatch_service
from app.domain.dispatch.schemas import ConflictDecisionIn, DeclineIn
from app.domain.dispatch.transition import move_assignment
from app.domain.policy.service import policy_in_force
from app.domain.registry.lawyers import ensure_in_active_service
from app.errors import Conflict, Forbidden, NotFound
from app.states.assignment import ASSIGNMENT_LIFECYCLE, LIVE_OFFER_STATUSES
from app.states.case import CaseAction
from app.states.codes import (
    AssignmentStatus,
    CaseStatus,
    ConflictDecision,
    DeclineReason,
    DispatchRole,
    EventType,
    Role,
)

log = structlog.get_logger("adr.dispatch")


async def visible_assignment(
    session: AsyncSession, *, actor: Actor, assignment_id: uuid.UUID, for_update: bool = False
) -> Assignment:
    """The assignment, or 404 when it does not exist or the actor may not see it: a lawyer
    sees their own, an agency officer its agency's lawyers', the center and bureau all."""
    assignment = await repo.get(session, assignment_id, for_update=for_update)
    if assignment is None:
        raise NotFound("no such assignment")
    if actor.role in (Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR):
        return assignment
    if actor.role is Role.LAWYER and actor.lawyer_id == assignment.lawyer_id:
        return assignment
    if actor.role is Role.AGENCY_OFFICER:
        lawyer = await registry_repo.get_lawyer(session, assignment.lawyer_id)
        if lawyer is not None and lawyer.agency_id == actor.agency_id:
            return assignment
    raise NotFound("no such assignment")


async def _locked(session: AsyncSession, assignment: Assignment) -> tuple[Case, Assignment]:
    """Lock the case, then the assignment (the service's lock order), and reread both."""
    case = await cases_repo.get(session, assignment.case_id, for_update=True)
    locked = await repo.get(session, assignment.id, for_update=True)
    assert case is not None
    assert locked is not None
    return case, locked


def _require(assignment: Assignment, status: AssignmentStatus, verb: str) -> None:
    """Answers are given to a live offer, rulings to a reported conflict: anything else is
    409 naming what the assignment allows now."""
    ASSIGNMENT_LIFECYCLE.require(
        AssignmentStatus(assignment.status), status, verb=verb, target=status
    )


def _expired_answer(assignment: Assignment) -> OfferExpired | None:
    if assignment.status == AssignmentStatus.EXPIRED.value:
        return OfferExpired("the offer expired before it was answered")
    return None


async def _expire_if_overdue(session: AsyncSession, case: Case, assignment: Assignment) -> bool:
    """An offer not answered, or a reported work conflict not ruled on, within its window
    ends as expired (SPEC 2.7)."""
    if assignment.status not in LIVE_OFFER_STATUSES or assignment.respond_by > now_utc():
        return False
    await end_offer(session, case, assignment, AssignmentStatus.EXPIRED, SYSTEM_ACTOR)
    return True


class OfferExpired(Conflict):
    """The offer ran out before the answer came. Returned (not raised) by the answer
    functions, so that the expiry they recorded is committed; the router renders it."""

    code = "offer_expired"


async def accept(
    session: AsyncSession, *, actor: Actor, assignment_id: uuid.UUID
) -> Assignment | OfferExpired:
    assignment = await visible_assignment(session, actor=actor, assignment_id=assignment_id)
    if actor.role is not Role.LAWYER or actor.lawyer_id != assignment.lawyer_id:
        raise Forbidden("only the lawyer offered may answer", code="not_your_assignment")
    await ensure_in_active_service(session, assignment.lawyer_id)
    case, assignment = await _locked(session, assignment)
    if await _expire_if_overdue(session, case, assignment):
        return OfferExpired("the offer expired before it was accepted")
    if expired := _expired_answer(assignment):
        return expired
    _require(assignment, AssignmentStatus.OFFERED, "accept")
    assignment.responded_at = now_utc()
    await move_assignment(
        session,
        case,
        assignment,
        AssignmentStatus.ACCEPTED,
        actor=actor,
        event=EventType.ASSIGNMENT_ACCEPTED,
        audited=Audited("accept"),
    )
    accepted = {"assignment_id": assignment.id, "role": assignment.role}
    if assignment.role == DispatchRole.PRESIDING:
        await move_case(
            session,
            case,
            CaseStatus.IN_MEDIATION,
            action=CaseAction.ACCEPT_PRESIDING,
            actor=actor,
            timeline="offer_accepted",
            data=accepted,
        )
    else:
        await note_on_case(session, case, actor=actor, timeline="offer_accepted", data=accepted)
    return assignment


async def decline(
    session: AsyncSession, *, actor: Actor, assignment_id: uuid.UUID, data: DeclineIn
) -> Assignment | OfferExpired:
    assignment = await visible_assignment(session, actor=actor, assignment_id=assignment_id)
    if actor.role is not Role.LAWYER or actor.lawyer_id != assignment.lawyer_id:
        raise Forbidden("only the lawyer offered may answer", code="not_your_assignment")
    await ensure_in_active_service(session, assignment.lawyer_id)
    case, assignment = await _locked(session, assignment)
    if await _expire_if_overdue(session, case, assignment):
        return OfferExpired("the offer had already expired")
    if expired := _expired_answer(assignment):
        return expired
    _require(assignment, AssignmentStatus.OFFERED, "decline")
    assignment.decline_reason = data.reason.value
    assignment.decline_note = data.note
    assignment.responded_at = now_utc()
    if data.reason is DeclineReason.WORK_CONFLICT:
        # Art. 9: a clash with daily duties goes to the lawyer's agency head to decide, within
        # the same window an answer has; a silent agency lets the offer expire.
        policy = (await policy_in_force(session)).version
        assignment.respond_by = now_utc() + timedelta(hours=policy.offer_response_hours)
        await move_assignment(
            session,
            case,
            assignment,
            AssignmentStatus.CONFLICT_REPORTED,
            actor=actor,
            event=EventType.ASSIGNMENT_CONFLICT_REPORTED,
            timeline="work_conflict_reported",
            data={"rule_by": assignment.respond_by},
            audited=Audited("report_conflict", {"note": data.note}),
        )
        return assignment
    await end_offer(session, case, assignment, AssignmentStatus.DECLINED, actor)
    return assignment


async def conflict_decision(
    session: AsyncSession, *, actor: Actor, assignment_id: uuid.UUID, data: ConflictDecisionIn
) -> Assignment | OfferExpired:
    """The lawyer's own agency rules on a reported work conflict (Art. 9), naming the agency
    head who decided; a ruling that comes after the window finds the offer expired."""
    assignment = await visible_assignment(session, actor=actor, assignment_id=assignment_id)
    lawyer = await registry_repo.get_lawyer(session, assignment.lawyer_id)
    if (
        actor.role is not Role.AGENCY_OFFICER
        or lawyer is None
        or lawyer.agency_id != actor.agency_id
    ):
        raise Forbidden("the lawyer's own agency rules on a work conflict", code="not_own_agency")
    case, assignment = await _locked(session, assignment)
    if await _expire_if_overdue(session, case, assignment):
        return OfferExpired("the agency did not rule within the window: the offer expired")
    if expired := _expired_answer(assignment):
        return expired
    _require(assignment, AssignmentStatus.CONFLICT_REPORTED, "rule on")
    assignment.conflict_decision = data.decision.value
    assignment.conflict_decision_note = data.note
    assignment.conflict_decided_by = actor.sub
    assignment.conflict_decided_by_head = data.decided_by
    if data.decision is ConflictDecision.KEEP:
        policy = (await policy_in_force(session)).version
        assignment.respond_by = now_utc() + timedelta(hours=policy.offer_response_hours)
        assignment.responded_at = None
        await move_assignment(
            session,
            case,
            assignment,
            AssignmentStatus.OFFERED,
            actor=actor,
            event=EventType.ASSIGNMENT_CONFLICT_DECIDED,
            timeline="work_conflict_kept",
            data={"respond_by": assignment.respond_by, "decided_by": data.decided_by},
            audited=Audited("conflict_keep", {"note": data.note}),
        )
        return assignment
    await end_offer(session, case, assignment, AssignmentStatus.DECLINED, actor)
    return assignment


async def withdraw(
    session: AsyncSession, *, actor: Actor, assignment_id: uuid.UUID, reason: str
) -> Assignment:
    """A coordinator withdraws a live offer (offered or conflict reported) with a reason; a
    presiding one sends the case back to ``classified`` and, with auto_redispatch, on to the
    next eligible lawyer — never the one just withdrawn."""
    assignment = await visible_assignment(session, actor=actor, assignment_id=assignment_id)
    case, assignment = await _locked(session, assignment)
    ASSIGNMENT_LIFECYCLE.require(
        AssignmentStatus(assignment.status),
        LIVE_OFFER_STATUSES,
        verb="withdraw",
        target=AssignmentStatus.WITHDRAWN,
    )
    assignment.withdraw_reason = reason
    await end_offer(session, case, assignment, AssignmentStatus.WITHDRAWN, actor)
    return assignment


# How an offer ended, by its new state and whether it was the agency's ruling on a reported
# work conflict (release -> declined) that ended it.
_ENDED_EVENTS = {
    (AssignmentStatus.DECLINED, False): EventType.ASSIGNMENT_DECLINED,
    (AssignmentStatus.DECLINED, True): EventType.ASSIGNMENT_CONFLICT_DECIDED,
    (AssignmentStatus.EXPIRED, False): EventType.ASSIGNMENT_EXPIRED,
    (AssignmentStatus.EXPIRED, True): EventType.ASSIGNMENT_EXPIRED,
    (AssignmentStatus.WITHDRAWN, False): EventType.ASSIGNMENT_WITHDRAWN,
    (AssignmentStatus.WITHDRAWN, True): EventType.ASSIGNMENT_WITHDRAWN,
}


async def end_offer(
    session: AsyncSession,
    case: Case,
    assignment: Assignment,
    target: AssignmentStatus,
    actor: Actor,
) -> None:
    """End a live offer (declined, released, expired, withdrawn); a presiding one sends the
    case back to ``classified`` and, with auto_redispatch, straight to the next eligible
    lawyer (the caller holds the case's and the assignment's locks)."""
    ruling = assignment.status == AssignmentStatus.CONFLICT_REPORTED
    assignment.ended_at = now_utc()
    reason = assignment.decline_reason or assignment.withdraw_reason
    await move_assignment(
        session,
        case,
        assignment,
        target,
        actor=actor,
        event=_ENDED_EVENTS.get((target, ruling)),
        timeline=f"offer_{target.value}",
        data={
            "lawyer_id": assignment.lawyer_id,
            "reason": assignment.decline_reason,
            "withdraw_reason": assignment.withdraw_reason,
        },
        audited=Audited(target.value, {"reason": reason}),
    )
    if assignment.role != DispatchRole.PRESIDING:
        return
    if case.status != CaseStatus.AWAITING_ACCEPTANCE:
        return
    await move_case(
        session,
        case,
        CaseStatus.CLASSIFIED,
        action=CaseAction.PRESIDING_OFFER_ENDED,
        actor=actor,
        timeline="presiding_offer_ended",
        data={"assignment_id": assignment.id},
    )
    if (await policy_in_force(session)).version.auto_redispatch:
        await _redispatch(session, case, passed_over=frozenset({assignment.lawyer_id}))


async def _redispatch(
    session: AsyncSession, case: Case, *, passed_over: frozenset[uuid.UUID]
) -> None:
    try:
        async with session.begin_nested():
            await dispatch_service.dispatch(
                session,
                actor=SYSTEM_ACTOR,
                case=case,
                role=DispatchRole.PRESIDING,
                passed_over=passed_over,
            )
    except Conflict as refused:
        # Nobody else is eligible: the case waits, classified, for the center to act.
        append_event(
            session,
            case=case,
            type="redispatch_failed",
            actor=SYSTEM_ACTOR,
            data={"code": refused.code, **refused.extra},
        )


async def expire_overdue(
    session: AsyncSession, *, limit: int = 100, case_id: uuid.UUID | None = None
) -> int:
    """Expire offers past their answer time (the periodic sweep, and reads). Safe with
    several processes: a case another transaction holds is skipped (SKIP LOCKED), and each
    offer is checked again under its case's lock."""
    expired = 0
    for candidate in await repo.overdue_offers(
        session, now=now_utc(), limit=limit, case_id=case_id
    ):
        case = await cases_repo.try_lock(session, candidate.case_id)
        if case is None:
            continue  # another request or sweeper is at this case right now
        assignment = await repo.get(session, candidate.id, for_update=True)
        if assignment is not None and await _expire_if_overdue(session, case, assignment):
            expired += 1
    if expired:
        log.info("offers_expired", count=expired)
    return expired
