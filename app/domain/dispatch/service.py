"""Dispatching public lawyers to cases (统一委派, SPEC 2.7, Art. 9–10).

Concurrency: a dispatch locks the case row first (so one case gets one live presiding offer
at a time — the partial unique index is the backstop), then the chosen lawyer's row, and
reads that lawyer's open assignments again under the lock (so two dispatches on different
cases cannot both take a lawyer's last place). The count is kept with the lawyer by database
triggers that only append changes (``app.db.repositories.dispatch.open_assignments_now``), so
answering an offer or closing a case never waits on a lawyer's lock. The lock order is
always case, then lawyer, then assignment, everywhere in the service, and a dispatch holds
at most one lawyer's lock: one found full under it is let go before the next is tried
(``repo.take_lawyer``), so no two dispatches can each hold a lawyer the other waits for.
The locks cannot deadlock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc, today_shanghai
from app.db.models import Assignment, Case, Event, PolicyVersion
from app.db.repositories import dispatch as repo
from app.db.types import new_id
from app.db.writes import Writes
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.cases.transition import move_case, note_on_case
from app.domain.dispatch.rules import (
    Assessment,
    CaseFacts,
    assess,
    exclusion_summary,
)
from app.domain.dispatch.schemas import (
    AssignmentOut,
    CandidatesOut,
    ExcludedCandidate,
    RankedCandidate,
)
from app.domain.events.outbox import event_row
from app.domain.policy.service import keep_read_along, policy_in_force
from app.errors import Conflict, ValidationFailed
from app.states.case import CASE_LIFECYCLE, CaseAction
from app.states.codes import (
    AssignmentStatus,
    CaseStatus,
    DispatchRole,
    EventType,
    ExclusionReason,
    Role,
)

_REFUSED = (AssignmentStatus.DECLINED.value, AssignmentStatus.EXPIRED.value)
_OPEN = (
    AssignmentStatus.OFFERED.value,
    AssignmentStatus.CONFLICT_REPORTED.value,
    AssignmentStatus.ACCEPTED.value,
)


@dataclass(frozen=True)
class Offer:
    """An offer made: the assignment, and its schema as the outbox event carries it (the
    answer shows the same, validated once)."""

    assignment: Assignment
    view: AssignmentOut


async def _case_facts(
    session: AsyncSession, case: Case, respondent_region: str | None = None
) -> CaseFacts:
    if respondent_region is None:
        respondent_region = await repo.respondent_region(session, case.respondent_agency_id)
    return CaseFacts(
        business_system=case.business_system,
        respondent_agency_id=case.respondent_agency_id,
        respondent_region_code=respondent_region,
    )


async def _assessments(
    session: AsyncSession,
    case: Case,
    role: DispatchRole,
    *,
    only: uuid.UUID | None = None,
) -> tuple[PolicyVersion, CaseFacts, list[Assessment], list[Assessment]]:
    """The policy in force and the case's facts, with the lawyers eligible and excluded; on
    PostgreSQL all read in one round trip (``repo.candidates``)."""
    today = today_shanghai()
    found = await repo.candidates(
        session,
        case_id=case.id,
        year=today.year,
        business_system=case.business_system,
        today=today,
        respondent_agency_id=case.respondent_agency_id,
        refused=_REFUSED,
        assigned=_OPEN,
        only=only,
    )
    if found.policy is not None:
        policy = keep_read_along(session, found.policy, today).version
    else:
        policy = (await policy_in_force(session, on=today)).version
    facts = await _case_facts(session, case, found.respondent_region)
    eligible, excluded = assess(found.rows, facts, role=role, max_open=policy.max_open_assignments)
    return policy, facts, eligible, excluded


def _ranked(eligible: list[Assessment], facts: CaseFacts) -> list[RankedCandidate]:
    return [
        RankedCandidate(
            rank=i,
            lawyer_id=a.lawyer.lawyer_id,
            name=a.lawyer.name,
            agency_id=a.lawyer.agency_id,
            region_code=a.lawyer.region_code,
            open_assignments=a.lawyer.open_assignments,
            last_offered_at=a.lawyer.last_offered_at,
            same_county=a.lawyer.region_code == facts.respondent_region_code,
        )
        for i, a in enumerate(eligible, start=1)
    ]


def _excluded(excluded: list[Assessment]) -> list[ExcludedCandidate]:
    return [
        ExcludedCandidate(
            lawyer_id=a.lawyer.lawyer_id,
            name=a.lawyer.name,
            agency_id=a.lawyer.agency_id,
            reasons=list(a.exclusions),
            overridable=a.overridable(),
        )
        for a in excluded
    ]


async def candidates(session: AsyncSession, *, case: Case, role: DispatchRole) -> CandidatesOut:
    policy, facts, eligible, excluded = await _assessments(session, case, role)
    return CandidatesOut(
        case_id=case.id,
        role=role,
        max_open_assignments=policy.max_open_assignments,
        eligible=_ranked(eligible, facts),
        excluded=_excluded(excluded),
    )


def _check_case_state(case: Case, role: DispatchRole) -> None:
    current = CaseStatus(case.status)
    if role is DispatchRole.PRESIDING:
        CASE_LIFECYCLE.ensure(
            current, CaseStatus.AWAITING_ACCEPTANCE, action=CaseAction.OFFER_PRESIDING
        )
    elif current not in (CaseStatus.AWAITING_ACCEPTANCE, CaseStatus.IN_MEDIATION):
        # Not a move of the case: the refusal names no target state.
        raise CASE_LIFECYCLE.refusal(
            current,
            None,
            detail="participating mediators join once the case awaits acceptance or is in "
            "mediation",
        )


async def dispatch(
    session: AsyncSession,
    *,
    actor: Actor,
    case: Case,
    role: DispatchRole,
    lawyer_id: uuid.UUID | None = None,
    reason: str | None = None,
    passed_over: frozenset[uuid.UUID] = frozenset(),
) -> Offer:
    """Make an offer on a case already locked by the caller: to the top-ranked eligible
    lawyer, or to the one named (who must be eligible, unless a coordinator overrides an
    overridable exclusion with a reason). ``passed_over``: lawyers an automatic redispatch
    must not offer the case to again (the one whose offer just ended)."""
    _check_case_state(case, role)
    policy, facts, eligible, excluded = await _assessments(session, case, role, only=lawyer_id)
    if lawyer_id is not None:
        return await _offer_named(
            session,
            actor=actor,
            case=case,
            role=role,
            policy=policy,
            facts=facts,
            eligible=eligible,
            excluded=excluded,
            lawyer_id=lawyer_id,
            reason=reason,
        )
    if reason is not None:
        raise ValidationFailed.of_field(
            "reason", "an override reason goes with a named lawyer_id", "reason_without_lawyer"
        )
    eligible = [a for a in eligible if a.lawyer.lawyer_id not in passed_over]
    # The first in rank with room, locked; a lawyer a parallel dispatch is offering a case to
    # right now is passed over for the next (their load is about to grow, and waiting for
    # them would line every parallel dispatch up behind one lock), and waited for only when
    # all were held. Those found full under their lock have taken a last place since the
    # assessment.
    taken, full = await repo.take_lawyer(
        session, [a.lawyer.lawyer_id for a in eligible], policy.max_open_assignments
    )
    if taken is not None:
        rank, choice = next(
            (rank, a) for rank, a in enumerate(eligible, start=1) if a.lawyer.lawyer_id == taken
        )
        reasoning = _reasoning(choice, facts, rank=rank, of=len(eligible), auto=True)
        return await _create_offer(session, actor, case, role, choice, policy, reasoning)
    by_id = {a.lawyer.lawyer_id: a for a in eligible}
    filled = [Assessment(by_id[i].lawyer, (ExclusionReason.AT_CAPACITY,)) for i in full]
    excluded = excluded + filled
    raise Conflict(
        "no lawyer is eligible for this case",
        code="no_eligible_mediator",
        extra={"exclusions": exclusion_summary(excluded), "excluded_count": len(excluded)},
    )


async def _offer_named(
    session: AsyncSession,
    *,
    actor: Actor,
    case: Case,
    role: DispatchRole,
    policy: PolicyVersion,
    facts: CaseFacts,
    eligible: list[Assessment],
    excluded: list[Assessment],
    lawyer_id: uuid.UUID,
    reason: str | None,
) -> Offer:
    found = eligible or excluded
    if not found:
        raise ValidationFailed.of_field("lawyer_id", "no such active lawyer", "unknown_lawyer")
    assessment = found[0]
    await repo.lock_lawyer(session, lawyer_id)
    exclusions = list(assessment.exclusions)
    at_capacity = await _at_capacity(session, lawyer_id, policy)
    if at_capacity and ExclusionReason.AT_CAPACITY not in exclusions:
        exclusions.append(ExclusionReason.AT_CAPACITY)
    override = None
    if exclusions:
        overridable = all(
            e in (ExclusionReason.SPECIALTY_MISMATCH, ExclusionReason.AT_CAPACITY)
            for e in exclusions
        )
        if not (reason and overridable and actor.role is Role.CENTER_COORDINATOR):
            raise Conflict(
                "the lawyer is not eligible for this case",
                code="lawyer_not_eligible",
                extra={
                    "reasons": [e.value for e in exclusions],
                    "overridable": overridable,
                    "override_needs": "a center_coordinator's reason" if overridable else None,
                },
            )
        override = reason
    reasoning = _reasoning(assessment, facts, rank=None, of=len(eligible), auto=False)
    if override:
        reasoning["override"] = {"reason": override, "set_aside": [e.value for e in exclusions]}
    return await _create_offer(
        session, actor, case, role, assessment, policy, reasoning, override_reason=override
    )


async def _at_capacity(session: AsyncSession, lawyer_id: uuid.UUID, policy: PolicyVersion) -> bool:
    # Under the lawyer's lock: no parallel dispatch can take a place between this and the offer.
    return await repo.open_assignments_locked(session, lawyer_id) >= policy.max_open_assignments


def _reasoning(
    choice: Assessment, facts: CaseFacts, *, rank: int | None, of: int, auto: bool
) -> dict[str, Any]:
    lawyer = choice.lawyer
    return {
        "mode": "top_ranked" if auto else "named",
        "rank": rank,
        "eligible_count": of,
        "open_assignments": lawyer.open_assignments,
        "last_offered_at": lawyer.last_offered_at.isoformat() if lawyer.last_offered_at else None,
        "same_county": lawyer.region_code == facts.respondent_region_code,
        "business_system": facts.business_system,
        "exclusions": [e.value for e in choice.exclusions],
    }


async def _create_offer(
    session: AsyncSession,
    actor: Actor,
    case: Case,
    role: DispatchRole,
    choice: Assessment,
    policy: PolicyVersion,
    reasoning: dict[str, Any],
    *,
    override_reason: str | None = None,
) -> Offer:
    now = now_utc()
    assignment = Assignment(
        id=new_id(),  # named in the case's timeline before the row is written
        case_id=case.id,
        lawyer_id=choice.lawyer.lawyer_id,
        role=role.value,
        status=AssignmentStatus.OFFERED.value,
        offered_at=now,
        respond_by=now + timedelta(hours=policy.offer_response_hours),
        override_reason=override_reason,
        reasoning=reasoning,
        offered_by=actor.sub,
        needs_reassignment=False,
        version=1,
    )
    # The offer, the case's change, its timeline, the outbox event and the audit record:
    # one statement on PostgreSQL (app/db/writes.py), the hottest write after intake.
    writes = Writes()
    writes.add(assignment)
    offered = {
        "lawyer_id": assignment.lawyer_id,
        "mode": reasoning["mode"],
        "override": override_reason is not None,
    }
    if role is DispatchRole.PRESIDING:
        if case.first_offered_at is None:
            case.first_offered_at = now  # "dispatched" in the statistics
            writes.change(case, "first_offered_at")
        await move_case(
            session,
            case,
            CaseStatus.AWAITING_ACCEPTANCE,
            action=CaseAction.OFFER_PRESIDING,
            actor=actor,
            timeline=f"offer_{role.value}",
            data={"assignment_id": assignment.id, **offered},
            writes=writes,
        )
    else:
        await note_on_case(
            session,
            case,
            actor=actor,
            timeline=f"offer_{role.value}",
            data={"assignment_id": assignment.id, **offered},
            writes=writes,
        )
    view = AssignmentOut.model_validate(assignment)
    writes.add(
        Event(**event_row(EventType.ASSIGNMENT_OFFERED, ("assignment", assignment.id), view))
    )
    writes.add(
        audit.new_record(
            actor=actor,
            action="case.dispatch",
            object_type="assignment",
            object_id=assignment.id,
            changes={
                "case_id": case.id,
                "lawyer_id": assignment.lawyer_id,
                "role": role.value,
                "override_reason": override_reason,
                "rank": reasoning.get("rank"),
            },
        )
    )
    await writes.write(session)
    return Offer(assignment, view)
