"""The working-day calendar as data (SPEC 2.5): read by anyone signed in, loaded by an admin,
validated, audited, and used at once for every open case's deadlines."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.domain.common.workdays import seed_years
from app.states.codes import Role
from tests.support.calendar import CALENDAR, add_holidays, api_calendar, calendar_year
from tests.support.factories import agencies_of_kind, case_body, create_case, days_ago, today
from tests.support.problems import assert_problem

CASES = "/api/v1/cases"
# A year far enough ahead that no notice exists for it, whatever the date the suite runs on.
FAR_YEAR = 2099


def far_year_body(**changes: Any) -> dict[str, Any]:
    return {
        "holidays": ["2099-01-01", "2099-01-02"],
        "working_weekends": ["2099-01-03"],  # a Saturday
        "source": "test calendar",
        **changes,
    }


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_reads_a_seeded_year(client, auth, role):
    body = await calendar_year(client, auth(role), 2024)
    assert body is not None
    seed = next(y for y in seed_years() if y.year == 2024)
    assert body["holidays"] == [d.isoformat() for d in seed.holidays]
    assert body["working_weekends"] == [d.isoformat() for d in seed.working_weekends]
    assert "国办发明电〔2023〕7号" in body["source"]


async def test_the_2023_notice_day_in_december_2022_is_stored_in_2022(client, auth):
    body = await calendar_year(client, auth(Role.ADMIN), 2022)
    assert body is not None
    assert body["holidays"][-1] == "2022-12-31"
    assert all(d.startswith("2022-") for d in body["holidays"] + body["working_weekends"])


async def test_a_year_not_loaded_is_404(client, auth):
    response = await client.get(f"{CALENDAR}/{FAR_YEAR}", headers=auth(Role.LAWYER))
    assert_problem(response, 404, "calendar_year_not_loaded")


async def test_reading_needs_credentials(client):
    assert_problem(await client.get(f"{CALENDAR}/2024"), 401)


@pytest.mark.parametrize("year", ["1999", "2101", "x"])
async def test_the_year_is_checked(client, auth, year):
    response = await client.get(f"{CALENDAR}/{year}", headers=auth(Role.ADMIN))
    assert_problem(response, 422)


async def test_admin_loads_a_year_and_replaces_it(client, auth):
    admin = auth(Role.ADMIN, sub="admin-zhao")
    created = await client.put(f"{CALENDAR}/{FAR_YEAR}", json=far_year_body(), headers=admin)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"{CALENDAR}/{FAR_YEAR}"
    assert created.json()["holidays"] == ["2099-01-01", "2099-01-02"]
    assert created.json()["updated_by"] == "admin-zhao"
    replaced = await client.put(
        f"{CALENDAR}/{FAR_YEAR}",
        json=far_year_body(holidays=["2099-01-02", "2099-01-01", "2099-10-01"]),
        headers=admin,
    )
    assert replaced.status_code == 200, replaced.text
    read = await calendar_year(client, auth(Role.LAWYER), FAR_YEAR)
    assert read is not None
    assert read["holidays"] == ["2099-01-01", "2099-01-02", "2099-10-01"]
    assert read["working_weekends"] == ["2099-01-03"]
    audit = await client.get(
        "/api/v1/audit", params={"action": "calendar.load_year"}, headers=admin
    )
    assert audit.status_code == 200, audit.text
    records = [r for r in audit.json()["items"] if r["object_id"] == str(FAR_YEAR)]
    assert len(records) == 2


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CENTER_COORDINATOR, Role.LAWYER])
async def test_only_an_admin_loads_a_year(client, auth, role):
    response = await client.put(f"{CALENDAR}/{FAR_YEAR}", json=far_year_body(), headers=auth(role))
    assert_problem(response, 403)
    assert await calendar_year(client, auth(Role.ADMIN), FAR_YEAR) is None


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"holidays": ["2099-01-01", "2098-12-31"]}, "holidays.1", "not_in_year"),
        ({"working_weekends": ["2100-01-02"]}, "working_weekends.0", "not_in_year"),
        ({"holidays": ["2099-01-01", "2099-01-01"]}, "holidays.1", "duplicate_date"),
        ({"working_weekends": ["2099-01-03", "2099-01-03"]}, "working_weekends.1",
         "duplicate_date"),
        ({"working_weekends": ["2099-01-05"]}, "working_weekends.0", "not_a_weekend"),
        ({"holidays": ["2099-01-03"]}, "working_weekends.0", "holiday_and_working_day"),
    ],
)  # fmt: skip
async def test_bad_dates_are_422_naming_the_field(client, auth, changes, field, code):
    admin = auth(Role.ADMIN)
    response = await client.put(
        f"{CALENDAR}/{FAR_YEAR}", json=far_year_body(**changes), headers=admin
    )
    body = assert_problem(response, 422)
    assert {(e["field"], e["code"]) for e in body["errors"]} == {(field, code)}
    assert await calendar_year(client, admin, FAR_YEAR) is None


@pytest.mark.parametrize(
    "body",
    [
        {"holidays": ["2099-02-30"], "working_weekends": [], "source": "x"},
        {"holidays": [], "working_weekends": [], "source": ""},
        {"holidays": [], "source": "x"},
        {"holidays": [], "working_weekends": [], "source": "x", "year": 2099},
    ],
)
async def test_malformed_bodies_are_422(client, auth, body):
    response = await client.put(f"{CALENDAR}/{FAR_YEAR}", json=body, headers=auth(Role.ADMIN))
    assert_problem(response, 422)


async def test_loading_a_year_recomputes_open_cases_and_the_warning_filter(client, auth):
    coordinator = auth(Role.CENTER_COORDINATOR)
    admin = auth(Role.ADMIN)
    organs = await agencies_of_kind(client, admin, "administrative_organ")
    intake, respondent = organs[0]["id"], organs[1]["id"]
    # Learned of 58 days ago: day 60 is 2 days ahead, at most 11 after rolling over a holiday.
    act = {"type": "administrative_penalty", "made_on": days_ago(60), "known_on": days_ago(58)}
    case = await create_case(client, coordinator, case_body(intake, respondent, act=act))
    due = date.fromisoformat(case["deadlines"]["reconsideration"]["due_on"])
    assert case["deadlines"]["warning"] is True
    listed = await client.get(CASES, params={"deadline_warning": "true"}, headers=coordinator)
    assert case["id"] in {c["id"] for c in listed.json()["items"]}

    # The official calendar turns out to give three weeks off from that day on.
    days_off = [due + timedelta(days=i) for i in range(21)]
    await add_holidays(client, admin, days_off)
    calendar = await api_calendar(client, admin, {d.year for d in days_off} | {today().year})
    expected = calendar.next_working_day(due + timedelta(days=21))

    read = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    recon = read["deadlines"]["reconsideration"]
    assert recon["due_on"] == expected.isoformat()
    assert recon["days_left"] == (expected - today()).days
    assert recon["provisional"] is False
    assert "第八十八条" in recon["basis"]  # the roll-over moved it
    assert read["deadlines"]["warning"] is False
    # The stored due dates were recounted too: the filter agrees with the case.
    flagged = await client.get(CASES, params={"deadline_warning": "true"}, headers=coordinator)
    assert case["id"] not in {c["id"] for c in flagged.json()["items"]}
    unflagged = await client.get(CASES, params={"deadline_warning": "false"}, headers=coordinator)
    assert case["id"] in {c["id"] for c in unflagged.json()["items"]}
