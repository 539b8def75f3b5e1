"""From a stored case (or a row of its deadline columns) to the facts its deadlines are
counted from, and the due dates stored for the ``deadline_warning`` filter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from app.clock import SHANGHAI
from app.domain.cases.deadlines import Deadlines, RemedyFacts, compute_deadlines
from app.domain.common.workdays import WorkdayCalendar
from app.states.codes import ActType, RelatedProcedureKind

DueDates = tuple[date | None, date | None, date | None]


class CaseDeadlineFields(Protocol):
    """The columns read (a ``Case`` or a row of ``DEADLINE_COLUMNS``)."""

    @property
    def act_type(self) -> str: ...
    @property
    def act_made_on(self) -> date | None: ...
    @property
    def act_known_on(self) -> date | None: ...
    @property
    def act_real_property(self) -> bool: ...
    @property
    def act_remedy_notice_given(self) -> bool: ...
    @property
    def act_applied_on(self) -> date | None: ...
    @property
    def act_performance_due_on(self) -> date | None: ...
    @property
    def act_refused(self) -> bool | None: ...
    @property
    def act_reconsideration_first(self) -> bool: ...
    @property
    def related_procedures(self) -> list[dict[str, Any]]: ...
    @property
    def deadlines_notified_at(self) -> datetime | None: ...


def reconsideration_decision(
    procedures: list[dict[str, Any]],
) -> tuple[date | None, date | None]:
    """(decided_on, decision_received_on) of the reconsideration decided last, if any."""
    best: tuple[date, date | None, date | None] | None = None
    for entry in procedures or []:
        if entry.get("kind") != RelatedProcedureKind.RECONSIDERATION.value:
            continue
        decided = _date(entry.get("decided_on"))
        received = _date(entry.get("decision_received_on"))
        key = received or decided
        if key is not None and (best is None or key > best[0]):
            best = (key, decided, received)
    return (best[1], best[2]) if best else (None, None)


def facts_of(case: CaseDeadlineFields) -> RemedyFacts:
    decided, received = reconsideration_decision(case.related_procedures)
    told = case.deadlines_notified_at
    return RemedyFacts(
        act_type=ActType(case.act_type),
        made_on=case.act_made_on,
        known_on=case.act_known_on,
        real_property=case.act_real_property,
        remedy_notice_given=case.act_remedy_notice_given,
        applied_on=case.act_applied_on,
        performance_due_on=case.act_performance_due_on,
        refused=case.act_refused,
        reconsideration_first=case.act_reconsideration_first,
        reconsideration_decided_on=decided,
        reconsideration_received_on=received,
        told_on=told.astimezone(SHANGHAI).date() if told is not None else None,
    )


def deadlines_of(
    case: CaseDeadlineFields, *, today: date, warning_days: int, calendar: WorkdayCalendar
) -> Deadlines:
    return compute_deadlines(
        facts_of(case), today=today, warning_days=warning_days, calendar=calendar
    )


def due_dates(deadlines: Deadlines) -> DueDates:
    """What the ``deadline_warning`` filter reads: the due dates shown (None where none)."""
    return (
        d.due_on if (d := deadlines.reconsideration) else None,
        d.due_on if (d := deadlines.litigation) else None,
        d.due_on if (d := deadlines.litigation_outer_limit) else None,
    )


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if isinstance(value, str) and value else None
