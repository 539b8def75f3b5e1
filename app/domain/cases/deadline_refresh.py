"""Keeping the deadlines current: the center's notice to the applicant, and the recompute
of every open case after a calendar year is loaded (SPEC 2.5)."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import now_utc, today_shanghai
from app.db.models import Case
from app.db.repositories import calendar as calendar_repo
from app.db.session import transaction
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.calendar.service import current_calendar
from app.domain.cases.access import CENTER_ROLES
from app.domain.cases.deadline_facts import DueDates, deadlines_of, due_dates
from app.domain.cases.intake import CLOCK_SKEW, store_due_dates
from app.domain.cases.queries import get_visible_case
from app.domain.cases.schemas import DeadlineNoticeIn
from app.domain.cases.timeline import append_event
from app.errors import Forbidden, ValidationFailed
from app.states.case import CASE_LIFECYCLE
from app.states.codes import CaseStatus

log = structlog.get_logger("adr.deadlines")

# Cases per transaction of the recompute: each batch locks only its own rows, briefly.
RECOMPUTE_BATCH = 500


async def record_deadline_notice(
    session: AsyncSession, *, actor: Actor, case_id: uuid.UUID, data: DeadlineNoticeIn
) -> Case:
    """Record that (and how) the applicant was told the deadlines; the periods that run from
    being told (remedy never explained by the organ) are counted from this day on."""
    case = await get_visible_case(session, actor=actor, case_id=case_id, for_update=True)
    if actor.role not in CENTER_ROLES:
        raise Forbidden("only the center records a deadline notice", code="role_not_allowed")
    if case.status == CaseStatus.CLOSED.value:
        raise CASE_LIFECYCLE.refusal(
            CaseStatus(case.status),
            None,
            detail="the case is closed: reopen it to record a deadline notice",
        )
    if data.notified_at > now_utc() + CLOCK_SKEW:
        raise ValidationFailed.of_field("notified_at", "is in the future", "in_future")
    previous = case.deadlines_notified_at
    case.deadlines_notified_at = data.notified_at
    case.deadlines_notified_how = data.how.value
    store_due_dates(case, await current_calendar(session))
    case.version += 1
    case.updated_at = now_utc()
    await session.flush()
    append_event(
        session,
        case=case,
        type="deadlines_notified",
        actor=actor,
        data={"notified_at": data.notified_at.isoformat(), "how": data.how.value},
    )
    audit.record(
        session,
        actor=actor,
        action="case.deadline_notice",
        object_type="case",
        object_id=case.id,
        changes={
            "notified_at": data.notified_at.isoformat(),
            "how": data.how.value,
            "previous_notified_at": previous.isoformat() if previous else None,
        },
    )
    return case


async def recompute_open_cases(
    sessionmaker: async_sessionmaker[AsyncSession], *, batch_size: int = RECOMPUTE_BATCH
) -> int:
    """Recount the stored due dates of every open case with the calendar as it is now, in
    keyset batches of ``batch_size`` cases, one short transaction each: no table lock, and
    intake (which only inserts) never waits for it. Returns how many cases changed."""
    after: uuid.UUID | None = None
    changed = 0
    while True:
        async with transaction(sessionmaker) as session:
            calendar = await current_calendar(session)
            rows = await calendar_repo.open_cases_after(session, after_id=after, limit=batch_size)
            today = today_shanghai()
            updates: list[tuple[uuid.UUID, *DueDates]] = []
            for row in rows:
                dates = due_dates(deadlines_of(row, today=today, warning_days=0, calendar=calendar))
                stored = (row.reconsideration_due_on, row.litigation_due_on, row.outer_limit_due_on)
                if dates != stored:
                    updates.append((row.id, *dates))
            await calendar_repo.set_due_dates(session, updates)
        changed += len(updates)
        if len(rows) < batch_size:
            break
        after = rows[-1].id
    log.info("deadlines_recomputed", cases_changed=changed)
    return changed
