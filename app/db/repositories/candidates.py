"""The year's records of every candidate of an evaluation round, in a few grouped
statements over the lawyers or agencies in scope (SPEC 2.14) — not one archive each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Activity,
    ActivityLawyer,
    Agency,
    Assignment,
    Case,
    Honour,
    Lawyer,
    TypicalCaseDecision,
    TypicalCaseSelection,
)
from app.states.codes import (
    RESOLVED_OUTCOMES,
    ActivityKind,
    ActivityStatus,
    AssignmentStatus,
    DispatchRole,
    HonourKind,
    OutcomeType,
    SelectionStatus,
    TypicalDecision,
)

_ACCEPTED = or_(
    Assignment.status.in_((AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED)),
    and_(
        Assignment.status == AssignmentStatus.WITHDRAWN,
        Assignment.responded_at.is_not(None),
        Assignment.decline_reason.is_(None),
    ),
)


@dataclass(frozen=True, slots=True)
class CaseFigures:
    presided: int = 0
    participated: int = 0
    resolved: int = 0
    closed: int = 0  # closed as disputes (not "not an administrative dispute")
    satisfaction_average: float | None = None  # on the cases presided
    typical_selected: int = 0


def _region(region_code: str | None) -> list[ColumnElement[bool]]:
    return [] if region_code is None else [Agency.region_code == region_code]


async def lawyers_in_scope(
    session: AsyncSession, region_code: str | None
) -> list[tuple[uuid.UUID, str, uuid.UUID]]:
    """(lawyer, name, agency) of the active lawyers of agencies in the division (None: all)."""
    stmt = (
        select(Lawyer.id, Lawyer.name, Lawyer.agency_id)
        .join(Agency, Agency.id == Lawyer.agency_id)
        .where(Lawyer.active, *_region(region_code))
    )
    return [(i, n, a) for i, n, a in (await session.execute(stmt)).all()]


async def agencies_in_scope(
    session: AsyncSession, region_code: str | None
) -> list[tuple[uuid.UUID, str]]:
    stmt = select(Agency.id, Agency.name).where(Agency.active, *_region(region_code))
    return [(i, n) for i, n in (await session.execute(stmt)).all()]


async def case_figures_per_lawyer(
    session: AsyncSession, lawyer_ids: list[uuid.UUID], *, start: datetime, end: datetime, year: int
) -> dict[uuid.UUID, CaseFigures]:
    """lawyer → the figures of the cases of the offers they accepted in [start, end), each
    case counted once, with its current outcome; grouped in the database."""
    selected = (
        select(TypicalCaseDecision.case_id)
        .join(TypicalCaseSelection, TypicalCaseSelection.id == TypicalCaseDecision.selection_id)
        .where(
            TypicalCaseSelection.status == SelectionStatus.PUBLISHED,
            TypicalCaseSelection.year == year,
            TypicalCaseDecision.decision == TypicalDecision.SELECTED,
        )
    )
    worked = (
        select(
            Assignment.lawyer_id.label("lawyer_id"),
            Assignment.case_id.label("case_id"),
            Assignment.role.label("role"),
            Case.outcome_type.label("outcome"),
            Case.satisfaction_score.label("satisfaction"),
            Assignment.case_id.in_(selected).label("selected"),
        )
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.lawyer_id.in_(lawyer_ids),
            Assignment.offered_at >= start,
            Assignment.offered_at < end,
            _ACCEPTED,
        )
        .distinct()
        .subquery()
    )
    presiding = worked.c.role == DispatchRole.PRESIDING.value
    dispute = and_(
        worked.c.outcome.is_not(None),
        worked.c.outcome != OutcomeType.NOT_ADMINISTRATIVE_DISPUTE.value,
    )
    stmt = select(
        worked.c.lawyer_id,
        func.count(case((presiding, 1))),
        func.count(case((worked.c.role == DispatchRole.PARTICIPATING.value, 1))),
        func.count(case((worked.c.outcome.in_([t.value for t in RESOLVED_OUTCOMES]), 1))),
        func.count(case((dispute, 1))),
        func.avg(case((presiding, worked.c.satisfaction))),
        func.count(case((worked.c.selected, 1))),
    ).group_by(worked.c.lawyer_id)
    return {
        row[0]: CaseFigures(
            presided=int(row[1]),
            participated=int(row[2]),
            resolved=int(row[3]),
            closed=int(row[4]),
            satisfaction_average=None if row[5] is None else round(float(row[5]), 2),
            typical_selected=int(row[6]),
        )
        for row in (await session.execute(stmt)).all()
    }


async def activities_per_lawyer(
    session: AsyncSession, lawyer_ids: list[uuid.UUID], *, first_day: date, last_day: date
) -> dict[uuid.UUID, tuple[int, float]]:
    """lawyer → (confirmed activities, training hours) of the period."""
    training = case((Activity.kind == ActivityKind.TRAINING, Activity.hours), else_=0)
    stmt = (
        select(ActivityLawyer.lawyer_id, func.count(), func.coalesce(func.sum(training), 0))
        .join(Activity, Activity.id == ActivityLawyer.activity_id)
        .where(
            ActivityLawyer.lawyer_id.in_(lawyer_ids),
            Activity.status == ActivityStatus.CONFIRMED,
            Activity.occurred_on >= first_day,
            Activity.occurred_on <= last_day,
        )
        .group_by(ActivityLawyer.lawyer_id)
    )
    rows = (await session.execute(stmt)).all()
    return {lw: (int(n), float(h or 0)) for lw, n, h in rows}


async def earlier_honours(
    session: AsyncSession, lawyer_ids: list[uuid.UUID], *, before_year: int
) -> dict[uuid.UUID, int]:
    stmt = (
        select(Honour.lawyer_id, func.count())
        .where(
            Honour.lawyer_id.in_(lawyer_ids),
            Honour.kind == HonourKind.ADVANCED_INDIVIDUAL,
            Honour.year < before_year,
        )
        .group_by(Honour.lawyer_id)
    )
    return {lw: int(n) for lw, n in (await session.execute(stmt)).all() if lw is not None}


async def cases_as_respondent(
    session: AsyncSession, agency_ids: list[uuid.UUID], *, start: datetime, end: datetime
) -> dict[uuid.UUID, tuple[int, int, int]]:
    """agency → (cases received in [start, end), of them closed as disputes, resolved)."""
    closed = and_(
        Case.outcome_type.is_not(None),
        Case.outcome_type != OutcomeType.NOT_ADMINISTRATIVE_DISPUTE,
    )
    resolved = Case.outcome_type.in_(
        [
            t.value
            for t in (
                OutcomeType.RECONCILED,
                OutcomeType.MEDIATED,
                OutcomeType.ACT_CORRECTED,
                OutcomeType.EXPLAINED,
                OutcomeType.WITHDRAWN,
            )
        ]
    )
    stmt = (
        select(
            Case.respondent_agency_id,
            func.count(),
            func.count(case((closed, 1))),
            func.count(case((resolved, 1))),
        )
        .where(
            Case.respondent_agency_id.in_(agency_ids),
            Case.received_at >= start,
            Case.received_at < end,
        )
        .group_by(Case.respondent_agency_id)
    )
    rows = (await session.execute(stmt)).all()
    return {a: (int(n), int(c), int(r)) for a, n, c, r in rows}
