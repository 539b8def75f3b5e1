"""Queries on typical-case selections (SPEC 2.13)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Case, CaseOutcome, TypicalCaseDecision, TypicalCaseSelection
from app.db.repositories.paging import Key, KeysetPage, read_page
from app.states.codes import SelectionStatus, TypicalDecision


@dataclass(frozen=True, slots=True)
class PublishedRow:
    decision: TypicalCaseDecision
    selection: TypicalCaseSelection
    case: Case
    outcome: CaseOutcome


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
    session: AsyncSession, *, year: int | None, after: Key | None, limit: int
) -> KeysetPage[TypicalCaseSelection]:
    stmt = select(TypicalCaseSelection)
    if year is not None:
        stmt = stmt.where(TypicalCaseSelection.year == year)
    return await read_page(session, stmt, (TypicalCaseSelection.id,), after=after, limit=limit)


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
    session: AsyncSession, *, year: int | None, after: Key | None, limit: int
) -> tuple[KeysetPage[TypicalCaseDecision], list[PublishedRow]]:
    """Selected cases of published selections, by decision id: the page of decisions, and
    each with its selection, case and the outcome that carries the published text."""
    stmt = (
        select(TypicalCaseDecision)
        .join(TypicalCaseSelection, TypicalCaseSelection.id == TypicalCaseDecision.selection_id)
        .where(
            TypicalCaseSelection.status == SelectionStatus.PUBLISHED,
            TypicalCaseDecision.decision == TypicalDecision.SELECTED,
        )
    )
    if year is not None:
        stmt = stmt.where(TypicalCaseSelection.year == year)
    page = await read_page(session, stmt, (TypicalCaseDecision.id,), after=after, limit=limit)
    if not page.rows:
        return page, []
    details = (
        select(TypicalCaseDecision.id, TypicalCaseSelection, Case, CaseOutcome)
        .join(TypicalCaseSelection, TypicalCaseSelection.id == TypicalCaseDecision.selection_id)
        .join(Case, Case.id == TypicalCaseDecision.case_id)
        .join(
            CaseOutcome,
            and_(CaseOutcome.case_id == Case.id, CaseOutcome.typical_summary.is_not(None)),
        )
        .where(TypicalCaseDecision.id.in_([d.id for d in page.rows]))
    )
    found = {row[0]: row[1:] for row in (await session.execute(details)).all()}
    rows = [PublishedRow(d, *found[d.id]) for d in page.rows if d.id in found]
    return page, rows
