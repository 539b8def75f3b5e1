"""The working-day calendar as the service holds it, read through the API, so that API tests
derive their expected dates from the same data on any date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import httpx

from app.domain.common.workdays import CalendarYearData, WorkdayCalendar

CALENDAR = "/api/v1/calendar"


async def calendar_year(
    client: httpx.AsyncClient, headers: dict[str, str], year: int
) -> dict[str, Any] | None:
    response = await client.get(f"{CALENDAR}/{year}", headers=headers)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def api_calendar(
    client: httpx.AsyncClient, headers: dict[str, str], years: Iterable[int]
) -> WorkdayCalendar:
    """The calendar of these years as the service has them (a year not loaded is absent)."""
    loaded = []
    for year in sorted(set(years)):
        body = await calendar_year(client, headers, year)
        if body is not None:
            loaded.append(
                CalendarYearData(
                    year,
                    tuple(date.fromisoformat(d) for d in body["holidays"]),
                    tuple(date.fromisoformat(d) for d in body["working_weekends"]),
                )
            )
    return WorkdayCalendar.from_years(loaded)


async def add_holidays(
    client: httpx.AsyncClient, admin: dict[str, str], days: Iterable[date]
) -> list[httpx.Response]:
    """Load, for each year concerned, its calendar with ``days`` added as holidays (and no
    longer make-up working days): a test calendar, rolled back with the test."""
    by_year: dict[int, set[date]] = {}
    for day in days:
        by_year.setdefault(day.year, set()).add(day)
    responses = []
    for year, extra in sorted(by_year.items()):
        body = await calendar_year(client, admin, year)
        holidays = {date.fromisoformat(d) for d in body["holidays"]} if body else set()
        weekends = {date.fromisoformat(d) for d in body["working_weekends"]} if body else set()
        response = await client.put(
            f"{CALENDAR}/{year}",
            json={
                "holidays": sorted(d.isoformat() for d in holidays | extra),
                "working_weekends": sorted(d.isoformat() for d in weekends - extra),
                "source": "test calendar",
            },
            headers=admin,
        )
        assert response.status_code in (200, 201), response.text
        responses.append(response)
    return responses
