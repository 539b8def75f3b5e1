"""Reading assignments: who sees which, and offers that expire as they are read.

An offer (or a reported work conflict) whose answer window has passed is expired whenever
it is read, not only by the periodic sweep: a reader never sees as live an offer that can
no longer be answered.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Assignment
from app.db.repositories import assignments as repo
from app.db.repositories.paging import KeysetPage
from app.domain.auth.actor import Actor
from app.domain.dispatch import answers
from app.domain.dispatch.schemas import AssignmentOut
from app.domain.paging import BY_ID, Page
from app.states.assignment import LIVE_OFFER_STATUSES
from app.states.codes import AssignmentStatus, Role


async def read_assignment(
    session: AsyncSession, *, actor: Actor, assignment_id: uuid.UUID
) -> AssignmentOut:
    """The assignment as the actor may see it (404 otherwise), expired first if overdue."""
    assignment = await answers.visible_assignment(session, actor=actor, assignment_id=assignment_id)
    if assignment.status in LIVE_OFFER_STATUSES:
        await answers.expire_overdue(session, case_id=assignment.case_id)
        await session.refresh(assignment)
    return AssignmentOut.model_validate(assignment)


async def list_assignments(
    session: AsyncSession,
    *,
    actor: Actor,
    cursor: str | None,
    limit: int,
    lawyer_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    status: AssignmentStatus | None = None,
    needs_reassignment: bool | None = None,
) -> Page[AssignmentOut]:
    """A page of the assignments the actor may see: a lawyer their own, an agency officer
    its lawyers', the center and the bureau all; a filter for others' gives an empty page."""
    agency_id = None
    if actor.role is Role.LAWYER:
        if lawyer_id not in (None, actor.lawyer_id):
            return Page(items=[])
        lawyer_id = actor.lawyer_id
    elif actor.role is Role.AGENCY_OFFICER:
        agency_id = actor.agency_id

    async def read() -> KeysetPage[Assignment]:
        return await repo.list_page(
            session,
            after=BY_ID.decode(cursor),
            limit=limit,
            lawyer_id=lawyer_id,
            case_id=case_id,
            status=status,
            agency_id=agency_id,
            needs_reassignment=needs_reassignment,
        )

    found = await read()
    # Overdue offers on this page are expired, case by case under the case's lock, and the
    # page is read again.
    now = now_utc()
    overdue = {
        a.case_id for a in found.rows if a.status in LIVE_OFFER_STATUSES and a.respond_by < now
    }
    for overdue_case in overdue:
        await answers.expire_overdue(session, case_id=overdue_case)
    if overdue:
        found = await read()
    return BY_ID.page(found, AssignmentOut.model_validate)
