"""Legal periods (法定期限) counted as the law counts them.

民事诉讼法 art. 85, applied to administrative reconsideration by 行政复议法 (2023) art. 88:
the day on which a period starts is not counted, and a period whose last day is a public
holiday ends on the first working day after it. Under art. 88 the periods of 3, 5, 7 and 10
days are working days. Months and years end on the corresponding day of the final month, or
on its last day when it has none (民法典 art. 202).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.common.workdays import WorkdayCalendar, default_calendar

__all__ = [
    "PeriodEnd",
    "add_days",
    "add_months",
    "add_working_days",
    "add_years",
    "nominal_months",
]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PeriodEnd:
    """The last day of a period.

    ``calendar_complete`` is False when the computation consulted a year with no holiday data;
    such a year counts only weekends as rest days, so the date may move once its notice is
    published and the result must be shown as provisional.
    """

    due_on: date
    calendar_complete: bool
    # The nominal last day before any roll-over; ``basis`` cites the roll-over rule only when
    # it moved the date. Not part of equality: two ends on the same day are the same end.
    last_day: date | None = field(default=None, compare=False)

    @property
    def rolled_over(self) -> bool:
        """Whether the nominal last day was a rest day and the period ran on past it."""
        return self.last_day is not None and self.last_day != self.due_on


def add_days(start: date, days: int, cal: WorkdayCalendar | None = None) -> PeriodEnd:
    """A period of ``days`` calendar days starting on ``start`` (e.g. 60 days, art. 20)."""
    _require_positive(days)
    return _end_on(start + timedelta(days=days), _calendar(cal))


def add_working_days(start: date, n: int, cal: WorkdayCalendar | None = None) -> PeriodEnd:
    """A period of ``n`` working days starting on ``start`` (3, 5, 7 or 10 days, art. 88).

    Make-up working weekends count; public holidays and ordinary weekends do not.
    """
    _require_positive(n)
    calendar = _calendar(cal)
    day, counted = start, 0
    while counted < n:
        day += _ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
    return PeriodEnd(day, calendar.covers_range(start + _ONE_DAY, day), day)


def add_months(start: date, months: int, cal: WorkdayCalendar | None = None) -> PeriodEnd:
    """A period of ``months`` months (e.g. the 6-month litigation period, 行政诉讼法 art. 46):
    01-31 plus one month is 02-28, or 02-29 in a leap year."""
    return _end_on(nominal_months(start, months), _calendar(cal))


def nominal_months(start: date, months: int) -> date:
    """The nominal last day of a period of ``months`` months, without any roll-over: used for
    an organ's own time to act, which ends on that day whatever the calendar says."""
    _require_positive(months)
    year, month_index = divmod(start.month - 1 + months, 12)
    year += start.year
    month = month_index + 1
    day = min(start.day, monthrange(year, month)[1])
    return date(year, month, day)


def add_years(start: date, years: int, cal: WorkdayCalendar | None = None) -> PeriodEnd:
    """A period of ``years`` years (e.g. the 5- and 20-year outer limits): 02-29 plus one year
    is 02-28."""
    _require_positive(years)
    return add_months(start, years * 12, cal)


def _end_on(last_day: date, calendar: WorkdayCalendar) -> PeriodEnd:
    due_on = calendar.next_working_day(last_day)
    # Only the nominal last day and any roll-over days were looked up in the calendar.
    return PeriodEnd(due_on, calendar.covers_range(last_day, due_on), last_day)


def _calendar(cal: WorkdayCalendar | None) -> WorkdayCalendar:
    return cal if cal is not None else default_calendar()


def _require_positive(amount: int) -> None:
    if amount < 1:
        raise ValueError(f"a legal period must be at least 1 unit long, got {amount}")
