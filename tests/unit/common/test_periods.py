from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.common.periods import (
    PeriodEnd,
    add_days,
    add_months,
    add_working_days,
    add_years,
)
from app.domain.common.workdays import WorkdayCalendar, default_calendar


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "days", "due", "note"),
    [
        ("2024-09-16", 15, "2024-10-08", "ends on 10-01, rolls past National Day"),
        ("2024-08-02", 60, "2024-10-08", "60 days ending inside National Day"),
        ("2024-04-16", 60, "2024-06-17", "ends on an ordinary Saturday, rolls to Monday"),
        ("2024-08-13", 60, "2024-10-12", "ends on a make-up Saturday, which is a working day"),
        ("2024-02-07", 10, "2024-02-18", "ends on 02-17, next working day is make-up Sunday"),
        ("2024-01-10", 30, "2024-02-09", "除夕 2024 was a working day"),
        ("2025-01-13", 15, "2025-02-05", "ends on 除夕 2025, rolls past Spring Festival"),
        ("2025-08-02", 60, "2025-10-09", "ends on 10-01, National Day + Mid-Autumn to 10-08"),
        ("2025-08-29", 30, "2025-09-28", "ends on Sunday 09-28, a make-up workday"),
        ("2026-01-01", 60, "2026-03-02", "ends on Sunday 03-01"),
        ("2022-12-01", 30, "2023-01-03", "ends on 2022-12-31, holiday from the 2023 notice"),
        ("2024-03-01", 1, "2024-03-04", "the start day is not counted"),
    ],
)
def test_add_days(start: str, days: int, due: str, note: str) -> None:
    assert add_days(d(start), days) == PeriodEnd(d(due), True), note


@pytest.mark.parametrize(
    ("start", "n", "due", "note"),
    [
        ("2024-10-08", 5, "2024-10-14", "counts make-up Saturday 10-12"),
        ("2024-09-26", 5, "2024-10-09", "counts make-up Sunday 09-29, skips National Day"),
        ("2024-02-07", 5, "2024-02-20", "02-08, 02-09, 02-18 (Sunday), 02-19, 02-20"),
        ("2025-09-26", 5, "2025-10-10", "09-28 (Sunday), 09-29, 09-30, 10-09, 10-10"),
        ("2025-01-24", 3, "2025-02-05", "01-26 (Sunday), 01-27, then 02-05"),
        ("2026-02-12", 7, "2026-02-28", "02-13, 02-14 (Sat), 02-24..02-27, 02-28 (Sat)"),
        ("2024-06-06", 10, "2024-06-21", "skips Dragon Boat Monday 06-10"),
        ("2024-12-31", 1, "2025-01-02", "New Year's Day 2025 is a holiday"),
    ],
)
def test_add_working_days(start: str, n: int, due: str, note: str) -> None:
    assert add_working_days(d(start), n) == PeriodEnd(d(due), True), note


@pytest.mark.parametrize(
    ("start", "months", "due", "note"),
    [
        ("2024-01-31", 1, "2024-02-29", "month end, leap year"),
        ("2023-01-31", 1, "2023-02-28", "month end, common year"),
        ("2024-08-31", 1, "2024-09-30", "30-day month"),
        ("2024-08-31", 6, "2025-02-28", "six months across the year end"),
        ("2024-04-01", 6, "2024-10-08", "six months ending on National Day"),
        ("2025-04-01", 6, "2025-10-09", "six months ending on National Day 2025"),
        ("2023-08-17", 6, "2024-02-18", "ends on 02-17, next day is make-up Sunday"),
        ("2024-05-15", 6, "2024-11-15", "ordinary Friday"),
        ("2024-11-16", 3, "2025-02-17", "ends on Sunday 02-16"),
    ],
)
def test_add_months(start: str, months: int, due: str, note: str) -> None:
    assert add_months(d(start), months) == PeriodEnd(d(due), True), note


@pytest.mark.parametrize(
    ("start", "years", "due", "note"),
    [
        ("2024-02-29", 1, "2025-02-28", "leap day has no counterpart"),
        ("2020-02-29", 4, "2024-02-29", "leap day to leap day"),
        ("2021-10-01", 5, "2026-10-08", "five years ending on National Day 2026"),
        ("2019-06-14", 5, "2024-06-14", "ordinary Friday"),
        ("2004-05-01", 20, "2024-05-06", "twenty years ending on Labour Day"),
    ],
)
def test_add_years(start: str, years: int, due: str, note: str) -> None:
    assert add_years(d(start), years) == PeriodEnd(d(due), True), note


@pytest.mark.parametrize(
    ("result", "due"),
    [
        (add_years(d("2010-05-01"), 20), "2030-05-01"),  # Labour Day 2030, but no data
        (add_days(d("2027-01-10"), 60), "2027-03-11"),
        (add_days(d("2026-12-20"), 15), "2027-01-04"),  # rolls from Saturday into 2027
        (add_working_days(d("2026-12-30"), 3), "2027-01-04"),
        (add_working_days(d("2021-12-30"), 3), "2022-01-05"),  # counts 2021-12-31
        (add_months(d("2026-08-20"), 6), "2027-02-22"),  # 02-20 is a Saturday
    ],
)
def test_uncovered_years_count_weekends_only_and_say_so(result: PeriodEnd, due: str) -> None:
    assert result == PeriodEnd(d(due), False)


def test_start_year_outside_the_data_does_not_matter_for_calendar_days() -> None:
    # Only the last day and any roll-over consult the calendar; 2021 is never looked up.
    assert add_days(d("2021-12-20"), 30) == PeriodEnd(d("2022-01-19"), True)
    assert add_years(d("2019-10-01"), 5) == PeriodEnd(d("2024-10-08"), True)


def test_an_explicit_calendar_is_used() -> None:
    empty = WorkdayCalendar([], [], [])
    assert add_days(d("2024-09-16"), 15, empty) == PeriodEnd(d("2024-10-01"), False)
    custom = WorkdayCalendar([d("2024-10-01")], [], [2024])
    assert add_days(d("2024-09-16"), 15, custom) == PeriodEnd(d("2024-10-02"), True)


@pytest.mark.parametrize("function", [add_days, add_working_days, add_months, add_years])
@pytest.mark.parametrize("amount", [0, -1])
def test_non_positive_periods_are_rejected(function: object, amount: int) -> None:
    assert callable(function)
    with pytest.raises(ValueError, match="at least 1"):
        function(d("2024-01-01"), amount)


def test_period_end_is_frozen() -> None:
    result = add_days(d("2024-01-01"), 1)
    with pytest.raises(AttributeError):
        result.due_on = d("2024-01-03")  # type: ignore[misc]


covered_days = st.dates(min_value=date(2022, 1, 1), max_value=date(2026, 9, 30))


@given(covered_days, st.integers(min_value=1, max_value=60))
def test_add_days_lands_on_the_first_working_day_on_or_after_the_nominal_end(
    start: date, days: int
) -> None:
    cal = default_calendar()
    result = add_days(start, days)
    nominal = start + timedelta(days=days)
    assert result.due_on >= nominal
    assert cal.is_working_day(result.due_on)
    skipped = (nominal + timedelta(days=i) for i in range((result.due_on - nominal).days))
    assert not any(cal.is_working_day(day) for day in skipped)


@given(covered_days, st.sampled_from([3, 5, 7, 10]))
def test_add_working_days_counts_exactly_n_working_days(start: date, n: int) -> None:
    cal = default_calendar()
    result = add_working_days(start, n)
    span = (start + timedelta(days=i) for i in range(1, (result.due_on - start).days + 1))
    assert sum(cal.is_working_day(day) for day in span) == n
    assert cal.is_working_day(result.due_on)
