"""Annual evaluation rounds and honours (SPEC 2.14): the organizer's scope, one honour of a
kind per subject and round, closing freezes the round, honours are public and announced."""

from __future__ import annotations

from typing import Any

import pytest

from app.clock import today_shanghai
from app.states.codes import Role
from tests.support.dispatch_world import DispatchWorld, outcome_body
from tests.support.factories import API, field_errors, list_all

Json = dict[str, Any]
EVALUATIONS = f"{API}/evaluations"
COUNTY = "371521"  # 阳谷县


@pytest.fixture
def world(client: Any, auth: Any) -> DispatchWorld:
    return DispatchWorld(client, auth)


async def open_round(world: DispatchWorld, region: str = "371500") -> Json:
    body = {"year": today_shanghai().year, "organizer_region_code": region, "title": "先进评选"}
    response = await world.client.post(EVALUATIONS, json=body, headers=world.supervisor)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    assert response.headers["location"] == f"/api/v1/evaluations/{created['id']}"
    assert created["status"] == "open"
    return created


async def award(world: DispatchWorld, evaluation: Json, **body: Any) -> Any:
    return await world.client.post(
        f"{EVALUATIONS}/{evaluation['id']}/honours", json=body, headers=world.supervisor
    )


async def test_the_city_honours_a_lawyer_and_a_unit_anywhere(world, client):
    evaluation = await open_round(world)
    lawyer = await world.lawyer(region_code=COUNTY)
    individual = await award(
        world, evaluation, kind="advanced_individual", lawyer_id=lawyer["id"], note="成效突出"
    )
    assert individual.status_code == 201, individual.text
    honour = individual.json()
    assert (honour["lawyer_id"], honour["agency_id"]) == (lawyer["id"], lawyer["agency_id"])
    assert honour["year"] == evaluation["year"]
    unit = await award(world, evaluation, kind="advanced_unit", agency_id=lawyer["agency_id"])
    assert unit.status_code == 201, unit.text
    assert unit.json()["lawyer_id"] is None

    events = await client.get(
        f"{API}/events", params={"types": "honour.awarded", "limit": 200}, headers=world.admin
    )
    announced = {e["subject"]["id"] for e in events.json()["items"]}
    assert {honour["id"], unit.json()["id"]} <= announced


async def test_a_county_honours_only_its_own_division(world):
    evaluation = await open_round(world, COUNTY)
    own = await world.lawyer(region_code=COUNTY)
    city = await world.lawyer()
    assert (
        await award(world, evaluation, kind="advanced_individual", lawyer_id=own["id"])
    ).status_code == 201
    response = await award(world, evaluation, kind="advanced_individual", lawyer_id=city["id"])
    assert field_errors(response) == {"lawyer_id": "out_of_scope"}
    response = await award(world, evaluation, kind="advanced_unit", agency_id=city["agency_id"])
    assert field_errors(response) == {"agency_id": "out_of_scope"}


async def test_an_organizer_is_a_liaocheng_division(world):
    body = {"year": 2026, "organizer_region_code": "110000", "title": "t"}
    response = await world.client.post(EVALUATIONS, json=body, headers=world.supervisor)
    assert field_errors(response) == {"organizer_region_code": "unknown_region_code"}


async def test_one_honour_of_a_kind_per_subject_and_round(world):
    evaluation = await open_round(world)
    lawyer = await world.lawyer()
    body = {"kind": "advanced_individual", "lawyer_id": lawyer["id"]}
    assert (await award(world, evaluation, **body)).status_code == 201
    again = await award(world, evaluation, **body)
    assert (again.status_code, again.json()["code"]) == (409, "already_honoured")
    later = await open_round(world)
    assert (await award(world, later, **body)).status_code == 201


async def test_each_kind_names_its_subject(world):
    evaluation = await open_round(world)
    lawyer = await world.lawyer()
    response = await award(world, evaluation, kind="advanced_individual")
    assert field_errors(response) == {"lawyer_id": "required"}
    response = await award(
        world,
        evaluation,
        kind="advanced_unit",
        agency_id=lawyer["agency_id"],
        lawyer_id=lawyer["id"],
    )
    assert field_errors(response) == {"lawyer_id": "not_for_kind"}


async def test_a_closed_round_awards_nothing_more(world):
    evaluation = await open_round(world)
    lawyer = await world.lawyer()
    url = f"{EVALUATIONS}/{evaluation['id']}/close"
    closed = await world.client.post(url, headers=world.supervisor)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    for response in (
        await award(world, evaluation, kind="advanced_individual", lawyer_id=lawyer["id"]),
        await world.client.post(url, headers=world.supervisor),
    ):
        assert response.status_code == 409, response.text
        problem = response.json()
        assert (problem["code"], problem["current_status"]) == ("invalid_transition", "closed")


async def test_honours_are_public_and_filtered(world):
    evaluation = await open_round(world)
    first, second = await world.lawyer(), await world.lawyer()
    for lawyer in (first, second):
        response = await award(
            world, evaluation, kind="advanced_individual", lawyer_id=lawyer["id"]
        )
        assert response.status_code == 201
    reader = world.as_lawyer(second)
    mine = await list_all(world.client, reader, f"{API}/honours", lawyer_id=first["id"])
    assert [h["lawyer_id"] for h in mine] == [first["id"]]
    year = evaluation["year"]
    this_year = await list_all(
        world.client, reader, f"{API}/honours", year=year, kind="advanced_individual", limit=1
    )
    assert {first["id"], second["id"]} <= {h["lawyer_id"] for h in this_year}
    assert await list_all(world.client, reader, f"{API}/honours", year=year - 1) == []


@pytest.mark.parametrize("role", [Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER, Role.LAWYER])
async def test_only_the_supervisor_and_admin_run_rounds(world, auth, role):
    body = {"year": 2026, "organizer_region_code": "371500", "title": "t"}
    headers = auth(role)
    assert (await world.client.post(EVALUATIONS, json=body, headers=headers)).status_code == 403
    assert (await world.client.get(EVALUATIONS, headers=headers)).status_code == 403


# --- candidates -----------------------------------------------------------------------------


async def candidates_of(world: DispatchWorld, evaluation: Json, kind: str) -> Json:
    response = await world.client.get(
        f"{EVALUATIONS}/{evaluation['id']}/candidates",
        params={"kind": kind},
        headers=world.supervisor,
    )
    assert response.status_code == 200, response.text
    found: Json = response.json()
    return found


async def test_individuals_are_ranked_on_their_years_records_with_the_reasons(world):
    evaluation = await open_round(world, COUNTY)
    mediator = await world.lawyer(region_code=COUNTY, name="调解能手")
    learner = await world.lawyer(region_code=COUNTY, name="勤学律师")
    outsider = await world.lawyer(name="市直律师")
    case = await world.case()
    await world.accept(await world.offer(case["id"], lawyer_id=mediator["id"]))
    assert (await world.outcome(case["id"], outcome_body("mediated"))).status_code == 201
    assert (await world.follow_up(case["id"], "satisfaction", {"score": 5})).status_code == 200
    training = {
        "kind": "training",
        "hours": 6,
        "occurred_on": today_shanghai().isoformat(),
        "lawyer_ids": [learner["id"]],
        "title": "行政复议法培训",
    }
    officer = world.officer(learner["agency_id"])
    assert (
        await world.client.post(f"{API}/activities", json=training, headers=officer)
    ).status_code == 201

    report = await candidates_of(world, evaluation, "individual")
    by_lawyer = {c["lawyer_id"]: c for c in report["candidates"]}
    assert outsider["id"] not in by_lawyer
    top = by_lawyer[mediator["id"]]
    assert top["rank"] == 1
    assert top["figures"] == {
        "presided": 1,
        "participated": 0,
        "resolved": 1,
        "resolution_rate": 1.0,
        "satisfaction_average": 5.0,
        "confirmed_activities": 0,
        "training_hours": 0.0,
        "typical_selected": 0,
        "earlier_honours": 0,
    }
    weights = report["weights"]
    assert top["contributions"]["resolved"] == weights["resolved"]
    assert top["score"] == pytest.approx(sum(top["contributions"].values()))
    second = by_lawyer[learner["id"]]
    assert (second["figures"]["confirmed_activities"], second["figures"]["training_hours"]) == (
        1,
        6.0,
    )
    assert second["score"] == pytest.approx(
        weights["confirmed_activities"] + 6 * weights["training_hours"]
    )
    assert second["rank"] == 2
    assert [c["rank"] for c in report["candidates"]] == list(
        range(1, len(report["candidates"]) + 1)
    )


async def test_units_show_their_pool_corps_and_lawyers_activities(world):
    evaluation = await open_round(world, COUNTY)
    lawyer = await world.lawyer(region_code=COUNTY)
    elsewhere = await world.lawyer()
    report = await candidates_of(world, evaluation, "unit")
    by_agency = {c["agency_id"]: c for c in report["candidates"]}
    assert elsewhere["agency_id"] not in by_agency
    unit = by_agency[lawyer["agency_id"]]
    assert unit["lawyer_id"] is None
    figures = unit["figures"]
    assert (figures["pool_members"], figures["pool_compliant"]) == (1, 1)
    assert (figures["lawyers_active"], figures["lawyers_new"]) == (1, 0)
    assert (figures["cases_as_respondent"], figures["resolved_inside_share"]) == (0, None)


async def test_candidates_need_a_kind(world):
    evaluation = await open_round(world)
    url = f"{EVALUATIONS}/{evaluation['id']}/candidates"
    assert (await world.client.get(url, headers=world.supervisor)).status_code == 422


# --- repeat honourees (Art. 19) -------------------------------------------------------------


async def test_honours_in_two_different_years_make_a_repeat_honouree(world):
    year = today_shanghai().year
    rounds = []
    for round_year, region in ((year - 1, "371500"), (year, "371500"), (year, COUNTY)):
        body = {"year": round_year, "organizer_region_code": region, "title": "先进评选"}
        response = await world.client.post(EVALUATIONS, json=body, headers=world.supervisor)
        assert response.status_code == 201, response.text
        rounds.append(response.json())
    last_year, this_year, county_this_year = rounds
    twice = await world.lawyer(region_code=COUNTY, name="两度先进")
    same_year = await world.lawyer(region_code=COUNTY, name="同年两奖")
    for evaluation, lawyer in (
        (last_year, twice),
        (this_year, twice),
        (this_year, same_year),
        (county_this_year, same_year),
    ):
        response = await award(
            world, evaluation, kind="advanced_individual", lawyer_id=lawyer["id"]
        )
        assert response.status_code == 201, response.text

    async def repeat(lawyer: Json) -> bool:
        response = await world.client.get(f"{API}/lawyers/{lawyer['id']}", headers=world.admin)
        assert response.status_code == 200, response.text
        flag: bool = response.json()["repeat_honouree"]
        return flag

    assert await repeat(twice) is True
    assert await repeat(same_year) is False  # two honours, one year
    listed = await list_all(world.client, world.admin, f"{API}/lawyers", repeat_honouree=True)
    ids = {lawyer["id"] for lawyer in listed}
    assert twice["id"] in ids
    assert same_year["id"] not in ids
    assert all(lawyer["repeat_honouree"] for lawyer in listed)
    others = await list_all(world.client, world.admin, f"{API}/lawyers", repeat_honouree=False)
    assert same_year["id"] in {lawyer["id"] for lawyer in others}
    assert twice["id"] not in {lawyer["id"] for lawyer in others}
