"""China's working-day calendar: public holidays and make-up working weekends (调休).

The dates come from the State Council General Office's yearly notice. The service reads them
from the database (the ``calendar_years`` table; an admin loads a new year with ``PUT
/api/v1/calendar/{year}``); ``data/cn_workdays.json`` holds the notices of 2022–2026 that
seed that table, and the pure tests count against it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_DATA_PATH",
    "CalendarYearData",
    "WorkdayCalendar",
    "default_calendar",
    "notice_of",
    "seed_years",
]

DEFAULT_DATA_PATH = Path(__file__).with_name("data") / "cn_workdays.json"

_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class CalendarYearData:
    """One calendar year's notice: its public holidays and make-up working weekends, every
    date inside that year."""

    year: int
    holidays: tuple[date, ...]
    working_weekends: tuple[date, ...]


class WorkdayCalendar:
    """Answers whether a date is a working day.

    Weekdays work unless they are a public holiday; weekends rest unless a notice made them a
    make-up working day. For years without a notice only the weekend rule applies, which is
    why callers check :meth:`covers` before trusting a result as final.
    """

    def __init__(
        self, holidays: Iterable[date], workdays: Iterable[date], covered_years: Iterable[int]
    ) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._covered_years = frozenset(covered_years)
        clash = self._holidays & self._workdays
        if clash:
            raise ValueError(f"dates listed as both holiday and workday: {sorted(clash)}")
        weekdays = [d for d in self._workdays if d.weekday() < _SATURDAY]
        if weekdays:
            # Make-up working days are always weekend days; a weekday here is a data-entry slip.
            raise ValueError(f"make-up workdays that are not weekend days: {sorted(weekdays)}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> WorkdayCalendar:
        """Build from the ``cn_workdays.json`` structure."""
        holidays: list[date] = []
        workdays: list[date] = []
        years: list[int] = []
        for year_text, entry in data["years"].items():
            year = int(year_text)
            years.append(year)
            holidays.extend(_parse_dates(entry["holidays"], year))
            workdays.extend(_parse_dates(entry["workdays"], year))
        return cls(holidays, workdays, years)

    @classmethod
    def from_years(cls, years: Iterable[CalendarYearData]) -> WorkdayCalendar:
        """Build from the years stored in the database."""
        entries = list(years)
        return cls(
            [d for entry in entries for d in entry.holidays],
            [d for entry in entries for d in entry.working_weekends],
            [entry.year for entry in entries],
        )

    @classmethod
    def from_json(cls, path: Path) -> WorkdayCalendar:
        with path.open(encoding="utf-8") as handle:
            return cls.from_mapping(json.load(handle))

    @property
    def covered_years(self) -> frozenset[int]:
        return self._covered_years

    def covers(self, year: int) -> bool:
        """Whether the year's notice is in the data."""
        return year in self._covered_years

    def covers_range(self, start: date, end: date) -> bool:
        """Whether every year from ``start`` to ``end`` (in either order) is covered."""
        first, last = sorted((start.year, end.year))
        return all(self.covers(year) for year in range(first, last + 1))

    def is_working_day(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < _SATURDAY

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def _parse_dates(values: Iterable[str], year: int) -> list[date]:
    dates = [date.fromisoformat(value) for value in values]
    # A notice may start the New Year holiday on 31 December of the year before (2023's did).
    stray = [d for d in dates if d.year not in (year, year - 1)]
    if stray:
        raise ValueError(f"dates outside the {year} notice's range: {stray}")
    return dates


@cache
def default_calendar() -> WorkdayCalendar:
    """The seed calendar shipped with the service (2022–2026), loaded once per process. The
    service itself counts with the database's calendar; this one serves the seed and tests."""
    return WorkdayCalendar.from_json(DEFAULT_DATA_PATH)


def seed_years(path: Path = DEFAULT_DATA_PATH) -> list[CalendarYearData]:
    """The seed data as calendar years. A notice may put a day of the previous December
    into its holiday (2023's starts on 2022-12-31); stored by calendar year, that day joins
    the previous year's row, so every stored year holds only its own dates."""
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    holidays: dict[int, set[date]] = {}
    weekends: dict[int, set[date]] = {}
    years = {int(y) for y in data["years"]}
    for year_text, entry in data["years"].items():
        for day in _parse_dates(entry["holidays"], int(year_text)):
            holidays.setdefault(day.year, set()).add(day)
        for day in _parse_dates(entry["workdays"], int(year_text)):
            weekends.setdefault(day.year, set()).add(day)
    return [
        CalendarYearData(
            year,
            tuple(sorted(holidays.get(year, ()))),
            tuple(sorted(weekends.get(year, ()))),
        )
        for year in sorted(years)
    ]


def notice_of(year: int, path: Path = DEFAULT_DATA_PATH) -> str:
    """The seed data's source line for a year: the notice's number and where it is published."""
    with path.open(encoding="utf-8") as handle:
        entry = json.load(handle)["years"][str(year)]
    return f"国务院办公厅关于{year}年部分节假日安排的通知 ({entry['notice']}, {entry['published']})"
