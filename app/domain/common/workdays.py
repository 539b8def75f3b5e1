"""China's working-day calendar: public holidays and make-up working weekends (调休).

The dates come from the State Council General Office's yearly notice and live in
``data/cn_workdays.json`` so that next year's notice is a data change, not a code change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_DATA_PATH", "WorkdayCalendar", "default_calendar"]

DEFAULT_DATA_PATH = Path(__file__).with_name("data") / "cn_workdays.json"

_SATURDAY = 5


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
    """The calendar shipped with the service, loaded once per process."""
    return WorkdayCalendar.from_json(DEFAULT_DATA_PATH)
