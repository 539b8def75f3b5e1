"""``case.deadline_warning`` (SPEC 2.16): written once when a case enters the warning
window of its nearest remedy deadline (policy ``deadline_warning_days``). The periodic sweep
finds such cases; a case whose due dates are computed anew (a correction) may warn again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc, today_shanghai
from app.db.repositories import events as repo
from app.domain.calendar.service import current_calendar
from app.domain.cases.queries import deadlines_view
from app.domain.events.subjects import case_changed
from app.domain.policy.service import policy_in_force
from app.states.codes import EventType


async def warn_entering_cases(session: AsyncSession, *, limit: int = 200) -> int:
    """Write the warning of every open case that entered the window and has not been
    warned; returns how many. Safe with several sweepers (SKIP LOCKED)."""
    policy = (await policy_in_force(session)).version
    today = today_shanghai()
    cases = await repo.cases_entering_warning(
        session,
        start=today,
        end=today + timedelta(days=policy.deadline_warning_days),
        limit=limit,
    )
    calendar = await current_calendar(session)
    now = now_utc()
    for case in cases:
        case.deadline_warned_at = now
        deadlines = deadlines_view(case, policy, calendar).model_dump(mode="json")
        case_changed(session, EventType.CASE_DEADLINE_WARNING, case, deadlines=deadlines)
    await session.flush()
    return len(cases)
