"""PATCH /api/v1/cases/{id} (SPEC 3): correct a case while it is received, with If-Match."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.states.codes import Role
from tests.support.factories import (
    CASES,
    applicant,
    case_body,
    classification_body,
    classify,
    create_case,
    days_ago,
    field_errors,
    masked_id,
    today,
)
from tests.support.problems import assert_problem


@pytest.fixture
async def case(client, coordinator, intake, respondent):
    return await create_case(client, coordinator, case_body(intake, respondent))


def etag_of(case) -> str:
    return f'"{case["id"]}.{case["version"]}"'


async def patch(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: Any,
    body: dict[str, Any],
    etag: str | None = None,
) -> httpx.Response:
    headers = {**headers, **({"If-Match": etag} if etag is not None else {})}
    return await client.patch(f"{CASES}/{case_id}", json=body, headers=headers)


async def test_without_if_match_428(client, coordinator, case):
    response = await patch(client, coordinator, case["id"], {"title": "更正"})
    assert_problem(response, 428, "if_match_required")
    unchanged = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert unchanged["title"] == case["title"]
    assert unchanged["version"] == 1


async def test_with_the_current_etag_200_new_etag_version_and_event(client, coordinator, case):
    read = await client.get(f"{CASES}/{case['id']}", headers=coordinator)
    etag = read.headers["etag"]
    response = await patch(
        client, coordinator, case["id"], {"title": "对征收决定不服(更正)", "channel": "visit"}, etag
    )
    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["title"] == "对征收决定不服(更正)"
    assert corrected["channel"] == "visit"
    assert corrected["version"] == 2
    assert response.headers["etag"] == f'"{case["id"]}.2"'
    assert response.headers["etag"] != etag
    # Untouched fields stay as they were.
    assert corrected["facts"] == case["facts"]
    assert corrected["case_no"] == case["case_no"]
    assert corrected["applicants"] == case["applicants"]
    again = await client.get(f"{CASES}/{case['id']}", headers=coordinator)
    assert again.headers["etag"] == response.headers["etag"]
    page = await client.get(f"{CASES}/{case['id']}/events", headers=coordinator)
    events = page.json()["items"]
    assert [e["type"] for e in events] == ["received", "corrected"]
    assert sorted(events[1]["data"]["fields"]) == ["channel", "title"]
    assert events[1]["actor_sub"] == "center-li"


async def test_a_weak_etag_is_accepted(client, coordinator, case):
    response = await patch(
        client, coordinator, case["id"], {"title": "弱校验"}, "W/" + etag_of(case)
    )
    assert response.status_code == 200, response.text


async def test_a_stale_etag_412(client, coordinator, case):
    old = etag_of(case)
    first = await patch(client, coordinator, case["id"], {"title": "第一次更正"}, old)
    assert first.status_code == 200
    second = await patch(client, coordinator, case["id"], {"title": "第二次更正"}, old)
    assert_problem(second, 412, "etag_mismatch")
    current = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert current["title"] == "第一次更正"
    assert current["version"] == 2


@pytest.mark.parametrize("etag", ['"garbage"', '"01a22250-49b8-75d1-bfdb-5abdc2cc5733.1"'])
async def test_a_foreign_etag_412(client, coordinator, case, etag):
    assert_problem(await patch(client, coordinator, case["id"], {"title": "x"}, etag), 412)


async def test_once_classified_a_case_cannot_be_corrected(client, coordinator, case):
    classified = await classify(client, coordinator, case["id"], classification_body())
    assert classified.status_code == 200, classified.text
    read = await client.get(f"{CASES}/{case['id']}", headers=coordinator)
    response = await patch(client, coordinator, case["id"], {"title": "更正"}, read.headers["etag"])
    body = assert_problem(response, 409, "invalid_transition")
    assert body["current_status"] == "classified"
    assert "reclassify" in body["allowed_actions"]


@pytest.mark.parametrize(
    "body",
    [{"status": "closed"}, {"case_no": "LC2026-00001"}, {"version": 9}, {"collective": True}],
)
async def test_unknown_fields_422(client, coordinator, case, body):
    response = await patch(client, coordinator, case["id"], body, etag_of(case))
    assert set(field_errors(response)) == set(body)


@pytest.mark.parametrize("field", ["title", "facts", "claims", "applicants", "act", "channel"])
async def test_required_fields_cannot_be_nulled(client, coordinator, case, field):
    response = await patch(client, coordinator, case["id"], {field: None}, etag_of(case))
    assert_problem(response, 422)


async def test_correcting_the_act_recomputes_the_deadlines(client, coordinator, case):
    act = {"type": "administrative_penalty", "made_on": days_ago(56), "known_on": days_ago(55)}
    assert case["deadlines"]["warning"] is False
    response = await patch(client, coordinator, case["id"], {"act": act}, etag_of(case))
    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["act"]["known_on"] == act["known_on"]
    assert corrected["deadlines"]["warning"] is True
    listed = await client.get(CASES, params={"deadline_warning": "true"}, headers=coordinator)
    assert case["id"] in {i["id"] for i in listed.json()["items"]}


async def test_corrections_are_validated_like_intake(client, coordinator, case, center):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    etag = etag_of(case)
    checks = [
        ({"respondent_agency_id": center}, "respondent_agency_id"),
        ({"act": {"type": "other", "made_on": tomorrow}}, "act.made_on"),
        ({"applicants": []}, "applicants"),
        ({"applicants": [applicant(phone="12345")]}, "applicants.0.phone"),
        ({"title": "题" * 201}, "title"),
    ]
    for body, field in checks:
        response = await patch(client, coordinator, case["id"], body, etag)
        assert field in field_errors(response), (body, response.text)
    still = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert still["version"] == 1


async def test_correcting_the_applicants_reseals_them_and_recounts(client, coordinator, case):
    people = [applicant() for _ in range(5)]
    response = await patch(client, coordinator, case["id"], {"applicants": people}, etag_of(case))
    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["applicant_count"] == 5
    assert corrected["collective"] is True
    assert corrected["priority"] == "high"
    assert [a["id_number"] for a in corrected["applicants"]] == [
        masked_id(p["id_number"]) for p in people
    ]


async def test_received_at_cannot_move_the_case_into_another_year(
    client, coordinator, intake, respondent
):
    case = await create_case(
        client,
        coordinator,
        case_body(
            intake,
            respondent,
            received_at="2025-06-01T09:00:00+08:00",
            act={"type": "other", "made_on": "2025-05-01"},
        ),
    )
    moved = await patch(
        client, coordinator, case["id"], {"received_at": "2024-12-31T09:00:00+08:00"}, etag_of(case)
    )
    assert "received_at" in field_errors(moved)
    within = await patch(
        client, coordinator, case["id"], {"received_at": "2025-06-02T09:00:00+08:00"}, etag_of(case)
    )
    assert within.status_code == 200, within.text
    assert within.json()["case_no"] == case["case_no"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LAWYER])
async def test_roles_that_cannot_take_in_cannot_correct(client, auth, case, role):
    response = await patch(client, auth(role), case["id"], {"title": "x"}, etag_of(case))
    assert response.status_code == 403


async def test_an_officer_of_the_intake_agency_corrects(client, officer_of, case, intake):
    response = await patch(
        client, officer_of(intake), case["id"], {"title": "受理单位更正"}, etag_of(case)
    )
    assert response.status_code == 200, response.text


async def test_another_agencys_officer_gets_404(client, officer_of, case, bystander):
    response = await patch(client, officer_of(bystander), case["id"], {"title": "x"}, etag_of(case))
    assert_problem(response, 404)


async def test_a_missing_case_404(client, coordinator):
    response = await patch(client, coordinator, uuid.uuid4(), {"title": "x"}, '"x.1"')
    assert_problem(response, 404)


async def test_known_on_still_checked_against_made_on(client, coordinator, case):
    act = {"type": "other", "made_on": days_ago(5), "known_on": days_ago(9)}
    assert_problem(await patch(client, coordinator, case["id"], {"act": act}, etag_of(case)), 422)


async def test_the_timeline_comes_in_pages_that_follow_the_cursor(client, coordinator, case):
    etag = etag_of(case)
    for n in range(4):
        response = await patch(client, coordinator, case["id"], {"title": f"更正 {n}"}, etag)
        assert response.status_code == 200, response.text
        etag = response.headers["etag"]
    url = f"{CASES}/{case['id']}/events"
    everything = (await client.get(url, headers=coordinator)).json()
    assert [e["type"] for e in everything["items"]] == ["received"] + ["corrected"] * 4
    assert everything["next_cursor"] is None
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(url, params=params, headers=coordinator)).json()
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [e["id"] for e in everything["items"]]
    assert_problem(
        await client.get(url, params={"cursor": "bm90LWpzb24"}, headers=coordinator), 422
    )
