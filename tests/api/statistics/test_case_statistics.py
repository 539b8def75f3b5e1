"""Case statistics (SPEC 2.15) against a world counted by hand (tests.support.statistics_world),
per role (SPEC 4.2): the bureau and the center count every case, an agency officer its own
agency's, a lawyer the cases they hold and their own offers."""

from __future__ import annotations

import uuid

import pytest

from app.states.codes import Role
from tests.support.dispatch_world import DispatchWorld
from tests.support.problems import assert_problem
from tests.support.statistics_world import PAST_YEAR, StatisticsWorld

STATS = "/api/v1/statistics/cases"


@pytest.fixture
async def world(client, auth, session) -> StatisticsWorld:
    return await StatisticsWorld(DispatchWorld(client, auth), session).build()


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


async def test_a_past_year_counts_what_came_in_and_what_was_still_open_at_its_end(world):
    total = (await world.statistics(year=PAST_YEAR))["total"]
    assert total["received"] == 4  # c1..c4
    assert nonzero(total["received_by_channel"]) == {"petition": 2, "visit": 1, "complaint": 1}
    assert total["classified_administrative_dispute"] == 2  # c1, c2
    assert total["not_administrative_dispute"] == 1  # c3
    assert total["dispatched"] == 2  # c1, c2
    assert total["collective"] == 1  # c4
    assert total["deadline_passed_while_open"] == 3  # c1, c3, c4 (c2's passed before)
    # Nothing was closed in 2024: every case of the year was open at its end.
    assert total["closed"] == 0
    assert total["resolution_rate"] is None
    assert total["days_to_close_median"] is None
    assert total["open_at_end"] == 4
    assert total["offers_accepted"] + total["offers_declined"] + total["offers_expired"] == 0
    assert total["acceptance_rate"] is None


async def test_the_current_year_counts_closures_rates_timings_offers_and_follow_ups(world):
    total = (await world.statistics(year=world.this_year))["total"]
    assert total["received"] == 5  # c5..c9
    assert nonzero(total["received_by_channel"]) == {"petition": 4, "letter": 1}
    assert total["classified_administrative_dispute"] == 2  # c5, c9 (c8 never classified)
    assert total["dispatched"] == 2  # c5, c9
    assert total["deadline_passed_while_open"] == 0
    # Closed this year: c1 mediated, c3 not an administrative dispute, c5 referred to
    # litigation, c6 withdrawn (c8's withdrawal was reopened).
    assert total["closed"] == 4
    assert nonzero(total["closed_by_outcome"]) == {
        "mediated": 1,
        "not_administrative_dispute": 1,
        "referred_litigation": 1,
        "withdrawn": 1,
    }
    assert total["resolved"] == 2  # c1, c6
    assert total["resolution_rate"] == round(2 / 3, 4)  # not counting c3
    assert total["referred_by_channel"] == {
        "reconsideration": 0,
        "litigation": 1,
        "adjudication": 0,
    }
    # Still open: c2 (back to classified), c4, c7, c8 (reopened), c9.
    assert total["open_at_end"] == 5
    days = sorted([await world.days_to_close(n) for n in ("c1", "c5", "c6")])
    assert total["days_to_close_median"] == days[1]
    assert total["days_to_close_p90"] == pytest.approx(days[1] + (days[2] - days[1]) * 0.8)
    # Offers made this year: c1 and c5 accepted, c2 declined, c9 expired.
    assert (total["offers_accepted"], total["offers_declined"], total["offers_expired"]) == (
        2,
        1,
        1,
    )
    assert total["acceptance_rate"] == 0.5
    assert (total["satisfaction_average"], total["satisfaction_count"]) == (4.0, 2)
    assert (total["agreements_fulfilled"], total["agreements_breached"]) == (1, 0)


async def test_by_month_each_month_has_its_figures_and_the_state_at_its_end(world):
    report = await world.statistics(year=PAST_YEAR, group_by="month")
    months = report["groups"]
    assert [m["key"] for m in months] == [f"{PAST_YEAR}-{m:02d}" for m in range(1, 13)]
    assert [m["received"] for m in months] == [0, 0, 4] + [0] * 9
    assert [m["open_at_end"] for m in months] == [0, 0] + [4] * 10
    assert report["total"]["open_at_end"] == 4  # December's
    assert report["total"]["received"] == 4


async def test_by_region_respondent_channel_and_business_system(world):
    year = PAST_YEAR
    by_region = {
        g["key"]: g for g in (await world.statistics(year=year, group_by="region"))["groups"]
    }
    assert {k: g["received"] for k, g in by_region.items()} == {"371500": 2, "371521": 2}
    assert by_region["371521"]["label"] == "阳谷县"
    assert by_region["371521"]["open_at_end"] == 2

    r1 = world.agencies["R1"]
    by_agency = (await world.statistics(year=year, group_by="respondent_agency"))["groups"]
    [row] = [g for g in by_agency if g["key"] == r1["id"]]
    assert (row["label"], row["received"], row["dispatched"]) == (r1["name"], 2, 2)

    by_channel = {
        g["key"]: g for g in (await world.statistics(year=year, group_by="channel"))["groups"]
    }
    assert {k: g["received"] for k, g in by_channel.items()} == {
        "petition": 2,
        "visit": 1,
        "complaint": 1,
    }
    assert by_channel["complaint"]["collective"] == 1

    this_year = world.this_year
    by_system = {
        g["key"]: g
        for g in (await world.statistics(year=this_year, group_by="business_system"))["groups"]
    }
    # c2 and c3 are classified under their systems; c4 and the unclassified have no system.
    assert by_system["natural_resources"]["closed"] == 3  # c1, c3 (its record), c5
    assert by_system["natural_resources"]["offers_accepted"] == 2
    assert by_system["housing_construction"]["offers_declined"] == 1
    assert by_system[""]["closed"] == 1  # c6, withdrawn before classification


async def test_filters_narrow_every_figure(world):
    r1 = world.agencies["R1"]
    this_year = world.this_year
    total = (await world.statistics(year=this_year, respondent_agency_id=r1["id"]))["total"]
    # R1: c1, c2, c5, c7, c9.
    assert total["received"] == 3  # c5, c7, c9
    assert total["closed"] == 2  # c1, c5
    assert total["open_at_end"] == 3  # c2, c7, c9
    assert (total["offers_accepted"], total["offers_declined"], total["offers_expired"]) == (
        2,
        1,
        1,
    )
    county = (await world.statistics(year=PAST_YEAR, region_code="371521"))["total"]
    assert (county["received"], county["not_administrative_dispute"]) == (2, 1)  # c3, c4
    system = await world.statistics(year=this_year, business_system="housing_construction")
    assert system["total"]["offers_declined"] == 1
    assert system["total"]["closed"] == 0


async def test_the_bureau_and_the_center_count_every_case(world, auth):
    for role in (Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR):
        report = await world.statistics(year=PAST_YEAR, headers=auth(role))
        assert report["total"]["received"] == 4, role


async def test_an_agency_officer_counts_the_cases_of_its_own_agency_only(world):
    r1 = world.w.officer(world.agencies["R1"]["id"])
    mine = (await world.statistics(year=world.this_year, headers=r1))["total"]
    # R1 is respondent or intake agency of c1, c2, c5, c7, c9.
    assert mine["received"] == 3  # c5, c7, c9
    assert mine["closed"] == 2  # c1, c5
    assert mine["open_at_end"] == 3  # c2, c7, c9
    r2 = world.w.officer(world.agencies["R2"]["id"])
    theirs = (await world.statistics(year=world.this_year, headers=r2))["total"]
    # R2: c3, c4, c6, c7 (intake), c8.
    assert theirs["received"] == 3  # c6, c7, c8
    assert theirs["closed"] == 2  # c3, c6
    assert nonzero(theirs["closed_by_outcome"]) == {"not_administrative_dispute": 1, "withdrawn": 1}
    assert theirs["offers_accepted"] + theirs["offers_declined"] + theirs["offers_expired"] == 0
    # A filter cannot widen the view: R1's cases as seen by R2 are the one R2 took in.
    narrowed = await world.statistics(
        year=world.this_year, headers=r2, respondent_agency_id=world.agencies["R1"]["id"]
    )
    assert narrowed["total"]["received"] == 1  # c7


async def test_a_lawyer_counts_the_cases_they_hold_and_their_own_offers(world):
    l1 = world.w.as_lawyer(world.lawyers["L1"])
    mine = (await world.statistics(year=world.this_year, headers=l1))["total"]
    assert mine["closed"] == 2  # c1, c5 (c9's offer expired: no lasting access)
    assert mine["received"] == 1  # c5
    assert (mine["offers_accepted"], mine["offers_declined"], mine["offers_expired"]) == (2, 0, 1)
    assert mine["acceptance_rate"] == round(2 / 3, 4)
    l2 = world.w.as_lawyer(world.lawyers["L2"])
    theirs = (await world.statistics(year=world.this_year, headers=l2))["total"]
    assert (theirs["received"], theirs["closed"], theirs["offers_declined"]) == (0, 0, 1)


async def test_unknown_filters_and_bad_parameters_are_named(client, auth):
    admin = auth(Role.ADMIN)
    missing = await client.get(
        STATS, params={"year": 2024, "respondent_agency_id": str(uuid.uuid4())}, headers=admin
    )
    assert_problem(missing, 404, "agency_not_found")
    for params, field in (
        ({}, "year"),
        ({"year": 1999}, "year"),
        ({"year": 2024, "group_by": "week"}, "group_by"),
        ({"year": 2024, "format": "pdf"}, "format"),
        ({"year": 2024, "region_code": "37150"}, "region_code"),
        ({"year": 2024, "business_system": "no_such_system"}, "business_system"),
    ):
        response = await client.get(STATS, params=params, headers=admin)
        body = assert_problem(response, 422)
        assert any(field in e["field"] for e in body["errors"]), body
    assert_problem(await client.get(STATS, params={"year": 2024}), 401)


async def test_the_definitions_are_in_the_response_and_the_openapi_document(client, auth):
    report = (await client.get(STATS, params={"year": 2024}, headers=auth(Role.ADMIN))).json()
    assert "not counting" not in report["definitions"]["resolution_rate"]
    assert "not_administrative_dispute" in report["definitions"]["resolution_rate"]
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/api/v1/statistics/cases"]["get"]
    assert operation["operationId"] == "case_statistics"
    assert "open_at_end" in operation["description"]
    assert "Asia/Shanghai" in operation["description"]
    assert set(operation["responses"]["200"]["content"]) >= {
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
    }
