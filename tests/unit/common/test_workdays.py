import json
import re
from datetime import date, timedelta

import pytest

from app.domain.common.workdays import DEFAULT_DATA_PATH, WorkdayCalendar, default_calendar

NOTICES = {
    "2022": "国办发明电〔2021〕11号",
    "2023": "国办发明电〔2022〕16号",
    "2024": "国办发明电〔2023〕7号",
    "2025": "国办发明电〔2024〕12号",
    "2026": "国办发明电〔2025〕7号",
}


def days(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


def load_year(year: str) -> tuple[set[date], set[date]]:
    entry = json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))["years"][year]
    holidays = {date.fromisoformat(d) for d in entry["holidays"]}
    workdays = {date.fromisoformat(d) for d in entry["workdays"]}
    return holidays, workdays


def test_data_names_each_notice() -> None:
    data = json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))
    assert data["source"]
    assert {year: entry["notice"] for year, entry in data["years"].items()} == NOTICES


# Each expected year is written out block by block from the notice text.
@pytest.mark.parametrize(
    ("year", "holiday_blocks", "workdays"),
    [
        (
            "2022",
            [("2022-01-01", "2022-01-03"), ("2022-01-31", "2022-02-06"),
             ("2022-04-03", "2022-04-05"), ("2022-04-30", "2022-05-04"),
             ("2022-06-03", "2022-06-05"), ("2022-09-10", "2022-09-12"),
             ("2022-10-01", "2022-10-07")],
            ["2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07",
             "2022-10-08", "2022-10-09"],
        ),
        (
            "2023",
            [("2022-12-31", "2023-01-02"), ("2023-01-21", "2023-01-27"),
             ("2023-04-05", "2023-04-05"), ("2023-04-29", "2023-05-03"),
             ("2023-06-22", "2023-06-24"), ("2023-09-29", "2023-10-06")],
            ["2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25",
             "2023-10-07", "2023-10-08"],
        ),
        (
            "2024",
            [("2024-01-01", "2024-01-01"), ("2024-02-10", "2024-02-17"),
             ("2024-04-04", "2024-04-06"), ("2024-05-01", "2024-05-05"),
             ("2024-06-10", "2024-06-10"), ("2024-09-15", "2024-09-17"),
             ("2024-10-01", "2024-10-07")],
            ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
             "2024-09-14", "2024-09-29", "2024-10-12"],
        ),
        (
            "2025",
            [("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"),
             ("2025-04-04", "2025-04-06"), ("2025-05-01", "2025-05-05"),
             ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08")],
            ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
        ),
        (
            "2026",
            [("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"),
             ("2026-04-04", "2026-04-06"), ("2026-05-01", "2026-05-05"),
             ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
             ("2026-10-01", "2026-10-07")],
            ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
             "2026-10-10"],
        ),
    ],
)  # fmt: skip
def test_data_matches_the_notice(
    year: str, holiday_blocks: list[tuple[str, str]], workdays: list[str]
) -> None:
    holidays, make_up = load_year(year)
    assert holidays == set().union(*(days(first, last) for first, last in holiday_blocks))
    assert make_up == {date.fromisoformat(d) for d in workdays}
    assert all(d.weekday() >= 5 for d in make_up)


def test_notice_numbers_are_well_formed() -> None:
    assert all(re.fullmatch(r"国办发明电〔20\d\d〕\d{1,2}号", n) for n in NOTICES.values())


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2024-02-04", True),  # Sunday, make-up workday before Spring Festival
        ("2024-02-09", True),  # 除夕 2024: encouraged leave, not a public holiday
        ("2024-02-10", False),
        ("2024-02-16", False),  # Friday inside the holiday
        ("2024-02-18", True),  # Sunday, make-up workday
        ("2024-02-19", True),
        ("2024-09-29", True),
        ("2024-10-07", False),
        ("2024-10-12", True),  # Saturday, make-up workday
        ("2024-10-13", False),  # ordinary Sunday
        ("2025-01-26", True),
        ("2025-01-28", False),  # 除夕 2025 is a holiday under the revised rules
        ("2025-02-08", True),
        ("2025-10-08", False),
        ("2025-10-11", True),
        ("2022-12-31", False),  # from the 2023 notice
        ("2023-01-02", False),
        ("2026-01-04", True),
        ("2026-02-23", False),
        ("2026-02-28", True),
        ("2026-09-20", True),
        ("2026-10-10", True),
        ("2026-12-31", True),
        ("2027-01-01", True),  # no 2027 notice yet: only weekends rest
        ("2027-01-02", False),
        ("2021-10-01", True),  # before the data: weekends only
    ],
)
def test_is_working_day(day: str, working: bool) -> None:
    assert default_calendar().is_working_day(date.fromisoformat(day)) is working


def test_coverage() -> None:
    cal = default_calendar()
    assert cal.covered_years == frozenset(range(2022, 2027))
    assert cal.covers(2024)
    assert not cal.covers(2021)
    assert not cal.covers(2027)
    assert cal.covers_range(date(2022, 1, 1), date(2026, 12, 31))
    assert cal.covers_range(date(2026, 12, 31), date(2022, 1, 1))
    assert not cal.covers_range(date(2026, 12, 31), date(2027, 1, 1))
    assert not cal.covers_range(date(2021, 12, 31), date(2022, 1, 1))


def test_next_working_day() -> None:
    cal = default_calendar()
    assert cal.next_working_day(date(2024, 10, 1)) == date(2024, 10, 8)
    assert cal.next_working_day(date(2024, 2, 17)) == date(2024, 2, 18)
    assert cal.next_working_day(date(2024, 10, 8)) == date(2024, 10, 8)


def test_default_calendar_is_loaded_once() -> None:
    assert default_calendar() is default_calendar()


def test_rejects_a_weekday_make_up_day() -> None:
    with pytest.raises(ValueError, match="not weekend"):
        WorkdayCalendar([], [date(2024, 10, 8)], [2024])


def test_rejects_a_day_that_is_both() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkdayCalendar([date(2024, 10, 12)], [date(2024, 10, 12)], [2024])


def test_rejects_dates_outside_the_notice_year() -> None:
    data = {"years": {"2024": {"holidays": ["2022-10-01"], "workdays": []}}}
    with pytest.raises(ValueError, match="outside"):
        WorkdayCalendar.from_mapping(data)


def test_from_mapping_accepts_previous_december() -> None:
    data = {"years": {"2023": {"holidays": ["2022-12-31"], "workdays": []}}}
    cal = WorkdayCalendar.from_mapping(data)
    assert not cal.is_working_day(date(2022, 12, 31))
    assert cal.covers(2023)
    assert not cal.covers(2022)
