"""Loading a calendar year recounts the open cases in short batches without holding up intake
(SPEC 2.5), on PostgreSQL with several app instances on a committed database."""

from __future__ import annotations

import asyncio
import os
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from app.db.models import Case
from app.states.codes import Role
from tests.support import databases
from tests.support.app_cluster import all_at_once, cluster
from tests.support.calendar import CALENDAR, calendar_year
from tests.support.factories import CASES, agencies_of_kind, case_body, days_ago

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
async def concurrency_url() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return await databases.prepare_database("adr_conc_calendar_" + worker)


async def test_a_calendar_load_recounts_open_cases_while_intake_goes_on(concurrency_url):
    settings = databases.test_settings(concurrency_url)
    async with cluster(settings, 3) as c:
        coordinator = c.headers(Role.CENTER_COORDINATOR)
        admin = c.headers(Role.ADMIN)
        organs = await agencies_of_kind(c.client(0), admin, "administrative_organ")
        act = {
            "type": "administrative_penalty",
            "made_on": days_ago(60),
            "known_on": days_ago(58),
        }

        async def intake(i: int) -> Any:
            return await c.client(i).post(
                CASES,
                json=case_body(organs[0]["id"], organs[1]["id"], act=act),
                headers=coordinator,
            )

        first = [r.json() for r in await all_at_once(*(intake(i) for i in range(6)))]
        due = date.fromisoformat(first[0]["deadlines"]["reconsideration"]["due_on"])
        assert {c_["deadlines"]["reconsideration"]["due_on"] for c_ in first} == {due.isoformat()}

        # The official calendar turns out to give three weeks off from that day on.
        days_off = [due + timedelta(days=i) for i in range(21)]
        assert len({d.year for d in days_off}) in (1, 2)
        body_of: dict[int, dict[str, Any]] = {}
        for year in sorted({d.year for d in days_off}):
            stored = await calendar_year(c.client(0), admin, year)
            holidays = set(stored["holidays"]) if stored else set()
            weekends = set(stored["working_weekends"]) if stored else set()
            extra = {d.isoformat() for d in days_off if d.year == year}
            body_of[year] = {
                "holidays": sorted(holidays | extra),
                "working_weekends": sorted(weekends - extra),
                "source": "test calendar",
            }

        # A transaction holds the newest open case: the recount's batch that reaches it waits.
        newest = max(case["id"] for case in first)
        async with c.engine.connect() as holder:
            await holder.execute(
                text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": newest}
            )
            loads = [
                asyncio.create_task(c.client(0).put(f"{CALENDAR}/{year}", json=body, headers=admin))
                for year, body in body_of.items()
            ]
            await c.until(lambda: c.lock_waiters_async(1), "the recount waits for the held case")
            # Intake is not held up by the recount: these complete while it waits.
            during = await all_at_once(*(intake(i) for i in range(1, 3)))
            assert [r.status_code for r in during] == [201, 201]
            assert not all(task.done() for task in loads)
            await holder.rollback()
        responses = await asyncio.gather(*loads)
        assert all(r.status_code in (200, 201) for r in responses)

        # Every open case, those taken in during the load too, has its due date moved.
        async with c.engine.connect() as conn:
            stored_dates = (
                (
                    await conn.execute(
                        select(Case.reconsideration_due_on).where(
                            Case.act_known_on == date.fromisoformat(days_ago(58))
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert len(stored_dates) == 8
        assert all(d is not None and d > days_off[-1] for d in stored_dates)
        flagged = await c.client(1).get(
            CASES, params={"deadline_warning": "true", "limit": 200}, headers=coordinator
        )
        ids = {case["id"] for case in first} | {r.json()["id"] for r in during}
        assert not ids & {case["id"] for case in flagged.json()["items"]}
