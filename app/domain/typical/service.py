"""Typical-case selections (典型案例评选, SPEC 2.13; Art. 18), run by the supervisor.

A selection owns the nominations made in its window; the supervisor decides on each
(selected or not, and may change a decision while the selection is open), then publishes
it; a published selection is frozen. ``GET /typical-cases`` shows the selected cases of
published selections with the de-identified title and summary checked at nomination —
never the applicants or the case number.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import TypicalCaseDecision, TypicalCaseSelection
from app.db.repositories import typical as repo
from app.db.repositories.typical import Nomination
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.paging import BY_ID, Page
from app.domain.statistics.definitions import shanghai_midnight
from app.domain.typical.schemas import (
    TypicalCaseOut,
    TypicalDecisionIn,
    TypicalNominationOut,
    TypicalSelectionIn,
    TypicalSelectionOut,
)
from app.errors import NotFound, ValidationFailed
from app.states.codes import SelectionStatus
from app.states.selection import SELECTION_LIFECYCLE, SelectionAction


async def create(
    session: AsyncSession, *, actor: Actor, data: TypicalSelectionIn
) -> TypicalCaseSelection:
    if data.nominations_to < data.nominations_from:
        raise ValidationFailed.of_field(
            "nominations_to", "the window ends before it starts", "period_reversed"
        )
    selection = TypicalCaseSelection(
        title=data.title,
        year=data.year,
        nominations_from=data.nominations_from,
        nominations_to=data.nominations_to,
        status=SelectionStatus.OPEN,
        created_by=actor.sub,
    )
    session.add(selection)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="typical_selection.create",
        object_type="typical_case_selection",
        object_id=selection.id,
        changes={"year": data.year},
    )
    return selection


async def get(
    session: AsyncSession, selection_id: uuid.UUID, *, for_update: bool = False
) -> TypicalCaseSelection:
    selection = await repo.get(session, selection_id, for_update=for_update)
    if selection is None:
        raise NotFound("no such selection", code="not_found")
    return selection


async def list_selections(
    session: AsyncSession, *, year: int | None, cursor: str | None, limit: int
) -> Page[TypicalSelectionOut]:
    found = await repo.list_page(session, year=year, after=BY_ID.decode(cursor), limit=limit)
    return BY_ID.page(found, TypicalSelectionOut.model_validate)


async def _nominations(session: AsyncSession, selection: TypicalCaseSelection) -> list[Nomination]:
    return await repo.nominations(
        session,
        selection,
        start=shanghai_midnight(selection.nominations_from),
        end=shanghai_midnight(selection.nominations_to + timedelta(days=1)),
    )


def _view(n: Nomination) -> TypicalNominationOut:
    o, d = n.outcome, n.decision
    assert o.typical_nominated_at is not None
    return TypicalNominationOut(
        case_id=n.case.id,
        case_no=n.case.case_no,
        business_system=n.case.business_system,
        act_type=n.case.act_type,
        outcome_type=o.type,
        nominated_at=o.typical_nominated_at,
        reason=o.typical_reason,
        title=o.typical_title or n.case.title,
        summary=o.typical_summary or "",
        decision=d.decision if d else None,
        note=d.note if d else None,
        decided_by=d.decided_by if d else None,
        decided_at=d.decided_at if d else None,
    )


async def nominations(
    session: AsyncSession, *, selection_id: uuid.UUID
) -> list[TypicalNominationOut]:
    selection = await get(session, selection_id)
    return [_view(n) for n in await _nominations(session, selection)]


async def decide(
    session: AsyncSession, *, actor: Actor, selection_id: uuid.UUID, data: TypicalDecisionIn
) -> TypicalNominationOut:
    selection = await get(session, selection_id, for_update=True)
    SELECTION_LIFECYCLE.ensure(
        selection.status, SelectionStatus.OPEN, action=SelectionAction.DECIDE
    )
    found = [n for n in await _nominations(session, selection) if n.case.id == data.case_id]
    if not found:
        raise ValidationFailed.of_field(
            "case_id", "the case was not nominated in this selection's window", "not_nominated"
        )
    nomination = found[0]
    decision = nomination.decision
    if decision is None:
        decision = TypicalCaseDecision(selection_id=selection.id, case_id=data.case_id)
        session.add(decision)
    decision.decision, decision.note = data.decision, data.note
    decision.decided_by, decision.decided_at = actor.sub, now_utc()
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="typical_selection.decide",
        object_type="typical_case_selection",
        object_id=selection.id,
        changes={"case_id": data.case_id, "decision": data.decision.value},
    )
    return _view(Nomination(nomination.case, nomination.outcome, decision))


async def publish(
    session: AsyncSession, *, actor: Actor, selection_id: uuid.UUID
) -> TypicalCaseSelection:
    selection = await get(session, selection_id, for_update=True)
    SELECTION_LIFECYCLE.ensure(selection.status, SelectionStatus.PUBLISHED)
    selection.status = SelectionStatus.PUBLISHED
    selection.published_at, selection.published_by = now_utc(), actor.sub
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="typical_selection.publish",
        object_type="typical_case_selection",
        object_id=selection.id,
        changes={"from": SelectionStatus.OPEN.value, "to": SelectionStatus.PUBLISHED.value},
    )
    return selection


async def published_cases(
    session: AsyncSession, *, year: int | None, cursor: str | None, limit: int
) -> Page[TypicalCaseOut]:
    page, rows = await repo.published_selected(
        session, year=year, after=BY_ID.decode(cursor), limit=limit
    )
    items = [
        TypicalCaseOut(
            id=r.decision.id,
            selection_id=r.selection.id,
            selection_title=r.selection.title,
            year=r.selection.year,
            title=r.outcome.typical_title or r.case.title,
            business_system=r.case.business_system,
            act_type=r.case.act_type,
            outcome_type=r.outcome.type,
            summary=r.outcome.typical_summary or "",
        )
        for r in rows
    ]
    next_cursor = None if page.next_key is None else BY_ID.encode(page.next_key)
    return Page(items=items, next_cursor=next_cursor)
