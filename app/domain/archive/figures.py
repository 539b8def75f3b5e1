"""The archive's figures, computed from the rows of one lawyer's year (SPEC 2.12).

Every figure is a count or sum over the lists the archive also returns (``case_list``,
``activity_list``), so a reader can check each one line by line. ``DEFINITIONS`` says
what each figure counts; the API shows it.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from app.db.models import Activity, Assignment, CaseOutcome
from app.db.repositories.archive import OfferRow
from app.domain.archive.schemas import (
    ArchiveActivityFigures,
    ArchiveCase,
    ArchiveCaseFigures,
    ArchiveKindFigures,
    ArchiveOfferFigures,
)
from app.states.codes import (
    RESOLVED_OUTCOMES,
    ActivityKind,
    AssignmentStatus,
    DispatchRole,
    OutcomeType,
    PerformanceStatus,
)

DEFINITIONS: dict[str, str] = {
    "year": "A calendar year in Asia/Shanghai.",
    "offers": (
        "Offers made to the lawyer in the year (GET /assignments?lawyer_id=…). accepted: "
        "accepted, completed, or withdrawn by the center after acceptance; declined by the "
        "lawyer's reason; expired unanswered; withdrawn before an answer; still awaiting one. "
        "conflicts_reported: work conflicts reported to the agency (Art. 9), with the "
        "agency's rulings."
    ),
    "cases": (
        "The cases of the offers the lawyer accepted in the year, by role, with their "
        "current outcome (a reopened case counts its new outcome once recorded): outcomes "
        "by type, resolved (SPEC 2.8), sessions held, hours the outcome records for this "
        "lawyer; satisfaction and agreements (fulfilled or breached) on the cases they "
        "presided; cases nominated as typical (Art. 18)."
    ),
    "activities": (
        "Confirmed activities (SPEC 2.11) credited to the lawyer that occurred in the year "
        "(GET /activities?lawyer_id=…&status=confirmed&occurred_from=…&occurred_to=…), by "
        "kind: records, quantity handled, participants reached, hours; training_hours: "
        "the hours of training."
    ),
    "honours": "Advanced-individual honours (Art. 19) in the year and in all years.",
}


def accepted(assignment: Assignment) -> bool:
    """Accepted, or withdrawn by the center after the lawyer accepted it."""
    if assignment.status in (AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED):
        return True
    return (
        assignment.status is AssignmentStatus.WITHDRAWN
        and assignment.responded_at is not None
        and assignment.decline_reason is None
    )


def _conflict_reported(assignment: Assignment) -> bool:
    return (
        assignment.status is AssignmentStatus.CONFLICT_REPORTED
        or assignment.conflict_decision is not None
    )


def offer_figures(offers: Sequence[OfferRow]) -> ArchiveOfferFigures:
    mine = [row.assignment for row in offers]
    declined = Counter(str(a.decline_reason) for a in mine if a.status is AssignmentStatus.DECLINED)
    rulings = Counter(a.conflict_decision or "awaiting" for a in mine if _conflict_reported(a))
    return ArchiveOfferFigures(
        received=len(mine),
        accepted=sum(accepted(a) for a in mine),
        declined_by_reason=dict(declined),
        expired=sum(a.status is AssignmentStatus.EXPIRED for a in mine),
        withdrawn_before_answer=sum(
            a.status is AssignmentStatus.WITHDRAWN and not accepted(a) for a in mine
        ),
        awaiting_answer=sum(
            a.status in (AssignmentStatus.OFFERED, AssignmentStatus.CONFLICT_REPORTED) for a in mine
        ),
        conflicts_reported=sum(_conflict_reported(a) for a in mine),
        conflict_rulings=dict(rulings),
    )


def _hours_for(outcome: CaseOutcome | None, lawyer_id: uuid.UUID) -> float:
    if outcome is None:
        return 0.0
    return float(sum(h["hours"] for h in outcome.hours if h["lawyer_id"] == str(lawyer_id)))


def _resolved(outcome: CaseOutcome | None) -> bool:
    return outcome is not None and OutcomeType(outcome.type) in RESOLVED_OUTCOMES


def case_list(offers: Sequence[OfferRow], lawyer_id: uuid.UUID) -> list[ArchiveCase]:
    listed = []
    for row in offers:
        a, outcome = row.assignment, row.outcome
        taken = accepted(a)
        listed.append(
            ArchiveCase(
                assignment_id=a.id,
                case_id=a.case_id,
                case_no=row.case_no,
                role=a.role,
                offered_at=a.offered_at,
                status=a.status,
                accepted=taken,
                decline_reason=a.decline_reason,
                conflict_decision=a.conflict_decision,
                outcome_type=outcome.type if taken and outcome else None,
                concluded_on=outcome.concluded_on if taken and outcome else None,
                resolved=taken and _resolved(outcome),
                sessions=len(outcome.sessions) if taken and outcome else 0,
                hours=_hours_for(outcome, lawyer_id) if taken else 0.0,
                satisfaction_score=outcome.satisfaction_score if taken and outcome else None,
                performance_status=outcome.performance_status if taken and outcome else None,
                typical_nominated=bool(taken and outcome and outcome.typical_nominated_at),
            )
        )
    return listed


def _distinct_cases(listed: Iterable[ArchiveCase]) -> list[ArchiveCase]:
    """One line per case (a case offered twice and accepted twice counts once)."""
    seen: dict[uuid.UUID, ArchiveCase] = {}
    for line in listed:
        seen.setdefault(line.case_id, line)
    return list(seen.values())


def case_figures(listed: Sequence[ArchiveCase]) -> ArchiveCaseFigures:
    worked = _distinct_cases(line for line in listed if line.accepted)
    presided = [c for c in worked if c.role is DispatchRole.PRESIDING]
    scores = [c.satisfaction_score for c in presided if c.satisfaction_score is not None]
    return ArchiveCaseFigures(
        presided=len(presided),
        participated=sum(c.role is DispatchRole.PARTICIPATING for c in worked),
        outcomes_by_type=dict(Counter(c.outcome_type for c in worked if c.outcome_type)),
        resolved=sum(c.resolved for c in worked),
        sessions=sum(c.sessions for c in worked),
        hours=sum(c.hours for c in worked),
        satisfaction_average=round(sum(scores) / len(scores), 2) if scores else None,
        agreements_fulfilled=sum(
            c.performance_status == PerformanceStatus.FULFILLED for c in presided
        ),
        agreements_breached=sum(
            c.performance_status == PerformanceStatus.BREACHED for c in presided
        ),
        typical_nominated=sum(c.typical_nominated for c in worked),
        typical_selected=0,
    )


def activity_figures(activities: Sequence[Activity]) -> ArchiveActivityFigures:
    by_kind: dict[str, dict[str, float]] = defaultdict(
        lambda: {"count": 0, "quantity": 0, "participants": 0, "hours": 0.0}
    )
    for activity in activities:
        figures = by_kind[activity.kind.value]
        figures["count"] += 1
        figures["quantity"] += activity.quantity
        figures["participants"] += activity.participants or 0
        figures["hours"] += activity.hours or 0.0
    return ArchiveActivityFigures(
        count=len(activities),
        by_kind={
            kind: ArchiveKindFigures(
                count=int(f["count"]),
                quantity=int(f["quantity"]),
                participants=int(f["participants"]),
                hours=f["hours"],
            )
            for kind, f in by_kind.items()
        },
        training_hours=by_kind[ActivityKind.TRAINING.value]["hours"]
        if ActivityKind.TRAINING.value in by_kind
        else 0.0,
    )
