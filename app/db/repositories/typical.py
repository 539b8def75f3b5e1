"""Queries on typical-case selections (SPEC 2.13)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Case, CaseOutcome, TypicalCaseDecision, TypicalCaseSelection
from app.states.codes import SelectionStatus, TypicalDecision


@dataclass(frozen=True, slots=True)
class Nomination:
    case: Case
    outcome: CaseOutcome
    decision: TypicalCaseDecision | None


async def get(
    session: AsyncSession, selection_id: uuid.UUID, *, for_update: bool = False
) -> TypicalCaseSelection | None:
    stmt = select(TypicalCaseSelection).where(TypicalCaseSelection.id == selection_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_page(
    session: AsyncSession, *, year: int | None, after_id: uuid.UUID | None, limit: int
) -> list[TypicalCaseSelection]:
    stmt = select(TypicalCaseSelection).order_by(TypicalCaseSelection.id).limit(limit)
    if year is not None:
        stmt = stmt.where(TypicalCaseSelection.year == year)
    if after_id is not None:
        stmt = stmt.where(TypicalCaseSelection.id > after_id)
    return list((await session.execute(stmt)).scalars())


async def nominations(
    session: AsyncSession, selection: TypicalCaseSelection, *, start: datetime, end: datetime
) -> list[Nomination]:
    """Cases nominated in [start, end) and still nominated (not reopened since), with this
    selection's decision on each, oldest nomination first."""
    stmt = (
        select(Case, CaseOutcome, TypicalCaseDecision)
        .join(CaseOutcome, CaseOutcome.case_id == Case.id)
        .outerjoin(
            TypicalCaseDecision,
            and_(
                TypicalCaseDecision.case_id == Case.id,
                TypicalCaseDecision.selection_id == selection.id,
            ),
        )
        .where(
            CaseOutcome.reopened_at.is_(None),
            CaseOutcome.typical_nominated_at >= start,
            CaseOutcome.typical_nominated_at < end,
        )
        .order_by(CaseOutcome.typical_nominated_at, Case.id)
    )
    return [Nomination(c, o, d) for c, o, d in (await session.execute(stmt)).all()]


async def published_selected(
    session: AsyncSession, *, year: int | None, after_id: uuid.UUID | None, limit: int
) -> list[tuple[TypicalCaseDecision, TypicalCaseSelection, Case, CaseOutcome]]:
    """Selected cases of published selections, by decision id."""
    stmt = (
        select(TypicalCaseDecision, TypicalCaseSelection, Case, CaseOutcome)
        .join(TypicalCaseSelection, TypicalCaseSelection.id == TypicalCaseDecision.selection_id)
        .join(Case, Case.id == TypicalCaseDecision.case_id)
        .join(
            CaseOutcome,
            and_(CaseOutcome.case_id == Case.id, CaseOutcome.typical_summary.is_not(None)),
        )
        .where(
            TypicalCaseSelection.status == SelectionStatus.PUBLISHED,
            TypicalCaseDecision.decision == TypicalDecision.SELECTED,
        )
        .order_by(TypicalCaseDecision.id)
        .limit(limit)
    )
    if year is not None:
        stmt = stmt.where(TypicalCaseSelection.year == year)
    if after_id is not None:
        stmt = stmt.where(TypicalCaseDecision.id > after_id)
    return [(d, s, c, o) for d, s, c, o in (await session.execute(stmt)).all()]
