"""The public-lawyer corps per agency (SPEC 2.15; Art. 16), counted by hand, per role."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.clock import today_shanghai
from app.states.codes import Role
from tests.support.dispatch_world import SYSTEM, DispatchWorld
from tests.support.factories import API
from tests.support.problems import assert_problem
from tests.support.statistics_world import PAST_YEAR, StatisticsWorld

FIGURES = ("active_at_year_end", "new_in_year", "pool_members", "cases_presided")


@pytest.fixture
async def world(client, auth, session) -> StatisticsWorld:
    world = await StatisticsWorld(DispatchWorld(client, auth), session).build()
    # L3: A1's new lawyer, certified this year, suspended since (not active at its end), not
    # in the pool.
    l3 = await world.w.lawyer(world.agencies["A1"], pool=None, name="李新")
    response = await world.w.client.patch(
        f"{API}/lawyers/{l3['id']}",
        json={"certificate_issued_on": today_shanghai().replace(month=1, day=1).isoformat()},
        headers=world.w.admin,
    )
    assert response.status_code == 200, response.text
    await world.w.suspend(l3)
    world.lawyers["L3"] = l3
    return world


def rows(report) -> dict[str, tuple[int, ...]]:
    return {r["agency_id"]: tuple(r[f] for f in FIGURES) for r in report["agencies"]}


async def test_per_agency_this_year(world):
    report = await world.statistics("lawyers", year=world.this_year)
    a1, a2 = world.agencies["A1"]["id"], world.agencies["A2"]["id"]
    # (active at the year's end, new this year, pool members, cases presided)
    assert rows(report) == {a1: (1, 1, 1, 2), a2: (1, 0, 1, 0)}
    assert tuple(report["total"][f] for f in FIGURES) == (2, 1, 2, 2)
    assert report["total"]["activities_by_kind"] == {}
    assert report["total"]["training_hours"] == 0


async def test_confirmed_activities_of_the_year_count_on_each_lawyers_agency(world):
    w, l1, l2 = world.w, world.lawyers["L1"], world.lawyers["L2"]
    a1, a2 = world.agencies["A1"]["id"], world.agencies["A2"]["id"]
    officer = w.auth(Role.AGENCY_OFFICER, sub="officer-a1", agency_id=uuid.UUID(a1))
    today = today_shanghai().isoformat()

    async def record(
        headers: dict[str, str],
        lawyers: list[dict[str, Any]],
        kind: str,
        on: str = today,
        **facts: Any,
    ) -> None:
        body = {
            "kind": kind,
            "occurred_on": on,
            "lawyer_ids": [x["id"] for x in lawyers],
            "title": "履职活动",
            **facts,
        }
        response = await w.client.post(f"{API}/activities", json=body, headers=headers)
        assert response.status_code == 201, response.text

    await record(officer, [l1], "training", hours=6)
    await record(w.auth(Role.CENTER_COORDINATOR), [l1, l2], "seminar")
    # Not counted: a record still waiting for confirmation, and last year's training.
    lawyer = w.auth(Role.LAWYER, sub="l1", lawyer_id=uuid.UUID(l1["id"]))
    await record(lawyer, [l1], "law_lecture")
    await record(officer, [l1], "training", on=f"{PAST_YEAR}-06-01", hours=4)

    report = await world.statistics("lawyers", year=world.this_year)
    by_agency = {r["agency_id"]: r for r in report["agencies"]}
    assert by_agency[a1]["activities_by_kind"] == {"training": 1, "seminar": 1}
    assert by_agency[a1]["training_hours"] == 6
    assert by_agency[a2]["activities_by_kind"] == {"seminar": 1}
    assert by_agency[a2]["training_hours"] == 0
    assert report["total"]["activities_by_kind"] == {"training": 1, "seminar": 2}
    assert report["total"]["training_hours"] == 6
    assert report["notes"] == []
    past = await world.statistics("lawyers", year=PAST_YEAR)
    assert past["total"]["activities_by_kind"] == {"training": 1}
    assert past["total"]["training_hours"] == 4


async def test_a_past_year_counts_certificates_of_then(world):
    report = await world.statistics("lawyers", year=PAST_YEAR)
    a1, a2 = world.agencies["A1"]["id"], world.agencies["A2"]["id"]
    # L3's certificate did not exist yet; nobody was in the 2024 pool or presided then.
    assert rows(report) == {a1: (1, 0, 0, 0), a2: (1, 0, 0, 0)}


async def test_filters(world):
    a1 = world.agencies["A1"]["id"]
    report = await world.statistics("lawyers", year=world.this_year, agency_id=a1)
    assert list(rows(report)) == [a1]
    by_system = await world.statistics("lawyers", year=world.this_year, business_system=SYSTEM)
    # L1 and L3 are versed in SYSTEM (L3 by default); L2 is not.
    assert rows(by_system) == {a1: (1, 1, 1, 2)}


async def test_an_officer_reads_its_own_agency_and_is_refused_another(world):
    a1, a2 = world.agencies["A1"]["id"], world.agencies["A2"]["id"]
    officer = world.w.officer(a1)
    mine = await world.statistics("lawyers", headers=officer, year=world.this_year)
    assert list(rows(mine)) == [a1]
    refused = await world.w.client.get(
        f"{API}/statistics/lawyers",
        params={"year": world.this_year, "agency_id": a2},
        headers=officer,
    )
    assert_problem(refused, 403, "not_own_agency")


async def test_a_lawyer_reads_themself(world):
    l1 = world.lawyers["L1"]
    report = await world.statistics("lawyers", headers=world.w.as_lawyer(l1), year=world.this_year)
    # On A1's row, only L1: active, not new, in the pool, presided c1 and c5.
    assert rows(report) == {world.agencies["A1"]["id"]: (1, 0, 1, 2)}


async def test_the_bureau_and_the_center_read_every_agency(world, auth):
    for role in (Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR):
        report = await world.statistics("lawyers", headers=auth(role), year=world.this_year)
        assert len(rows(report)) == 2, role


async def test_an_unknown_agency_is_404(client, auth):
    response = await client.get(
        f"{API}/statistics/lawyers",
        params={"year": 2026, "agency_id": str(uuid.uuid4())},
        headers=auth(Role.ADMIN),
    )
    assert_problem(response, 404, "agency_not_found")
