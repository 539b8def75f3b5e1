"""POST /api/v1/cases/{id}/classification (SPEC 2.6, 2.9) and the timeline it writes."""

import uuid
from typing import Any

import pytest

from app.states.codes import Role
from tests.support.factories import (
    API,
    CASES,
    CONDITIONS_MET,
    case_body,
    classification_body,
    classify,
    create_case,
    field_errors,
    not_met_body,
)
from tests.support.problems import assert_problem


@pytest.fixture
async def case(client, coordinator, intake, respondent):
    return await create_case(client, coordinator, case_body(intake, respondent))


async def events_of(client, headers, case_id) -> list[dict[str, Any]]:
    response = await client.get(f"{CASES}/{case_id}/events", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    events: list[dict[str, Any]] = response.json()["items"]
    return events


@pytest.mark.parametrize("role", [Role.CENTER_COORDINATOR, Role.ADMIN])
async def test_all_four_conditions_met_classifies_the_case(client, auth, case, role):
    headers = auth(role, sub=f"classifier-{role.value}")
    body = classification_body(
        business_system="natural_resources",
        act_type="expropriation",
        priority="urgent",
        recommended_channel="reconciliation",
        channels_explained=["reconciliation", "mediation", "reconsideration", "litigation"],
        chosen_channel="mediation",
    )
    response = await classify(client, headers, case["id"], body)
    assert response.status_code == 200, response.text
    classified = response.json()
    assert classified["status"] == "classified"
    assert classified["business_system"] == "natural_resources"
    assert classified["act"]["type"] == "expropriation"
    assert classified["priority"] == "urgent"
    assert classified["recommended_channel"] == "reconciliation"
    assert classified["chosen_channel"] == "mediation"
    assert classified["outcome_type"] is None
    assert classified["closed_at"] is None
    assert classified["version"] == case["version"] + 1
    assert "reclassify" in classified["allowed_actions"]
    assert "classify" not in classified["allowed_actions"]
    events = await events_of(client, headers, case["id"])
    assert [e["type"] for e in events] == ["received", "classify"]
    event = events[1]
    assert (event["from_status"], event["to_status"]) == ("received", "classified")
    assert event["actor_sub"] == f"classifier-{role.value}"
    assert event["actor_role"] == role.value
    assert event["data"]["business_system"] == "natural_resources"
    assert event["data"]["all_met"] is True


async def test_reclassification_before_dispatch_keeps_history(client, coordinator, case):
    first = await classify(client, coordinator, case["id"], classification_body())
    assert first.status_code == 200, first.text
    second = await classify(
        client,
        coordinator,
        case["id"],
        classification_body(business_system="taxation", act_type="administrative_enforcement"),
    )
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "classified"
    assert second.json()["business_system"] == "taxation"
    assert second.json()["version"] == 3
    events = await events_of(client, coordinator, case["id"])
    assert [e["type"] for e in events] == ["received", "classify", "reclassify"]
    assert [e["data"].get("business_system") for e in events[1:]] == [
        "market_regulation",
        "taxation",
    ]
    assert (events[2]["from_status"], events[2]["to_status"]) == ("classified", "classified")
    assert events[1]["data"]["classification_id"] != events[2]["data"]["classification_id"]


async def test_a_condition_not_met_closes_the_case_as_out_of_scope(
    client, coordinator, case, admin
):
    response = await classify(client, coordinator, case["id"], not_met_body())
    assert response.status_code == 200, response.text
    closed = response.json()
    assert closed["status"] == "closed"
    assert closed["outcome_type"] == "not_administrative_dispute"
    assert closed["closed_at"] is not None
    assert closed["allowed_actions"] == ["reopen"]
    events = await events_of(client, coordinator, case["id"])
    assert [e["type"] for e in events] == ["received", "close_not_administrative"]
    assert (events[1]["from_status"], events[1]["to_status"]) == ("received", "closed")
    assert events[1]["data"]["all_met"] is False
    audit = await client.get(
        f"{API}/audit", params={"object_id": case["id"], "limit": 50}, headers=admin
    )
    actions = [r["action"] for r in audit.json()["items"]]
    assert "case.close_not_administrative" in actions
    assert "case.create" in actions


@pytest.mark.parametrize("condition", sorted(CONDITIONS_MET))
async def test_any_single_condition_not_met_closes(client, coordinator, case, condition):
    conditions = dict(CONDITIONS_MET)
    conditions[condition] = {"met": False, "note": "不符合"}
    body = classification_body(conditions=conditions, referral_note="已引导至相关部门")
    response = await classify(client, coordinator, case["id"], body)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "closed"


@pytest.mark.parametrize("note", [None, "", "   "])
async def test_out_of_scope_needs_a_referral_note(client, coordinator, case, note):
    body = not_met_body(referral_note=note)
    response = await classify(client, coordinator, case["id"], body)
    problem_body = assert_problem(response, 422)
    assert any(
        "referral_note" in e["field"] or "referral_note" in e["message"]
        for e in problem_body["errors"]
    ), problem_body
    assert [e["code"] for e in problem_body["errors"]] == ["referral_note_required"]
    still = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert still["status"] == "received"


async def test_a_referral_note_is_not_needed_when_all_are_met(client, coordinator, case):
    response = await classify(client, coordinator, case["id"], classification_body())
    assert response.status_code == 200


async def test_a_classified_case_found_out_of_scope_closes(client, coordinator, case):
    await classify(client, coordinator, case["id"], classification_body())
    response = await classify(client, coordinator, case["id"], not_met_body())
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "closed"
    events = await events_of(client, coordinator, case["id"])
    assert [e["type"] for e in events] == ["received", "classify", "close_not_administrative"]


@pytest.mark.parametrize("again", ["met", "not_met"])
async def test_a_closed_case_cannot_be_classified(client, coordinator, case, again):
    closed = await classify(client, coordinator, case["id"], not_met_body())
    assert closed.status_code == 200
    body = classification_body() if again == "met" else not_met_body()
    response = await classify(client, coordinator, case["id"], body)
    problem_body = assert_problem(response, 409, "invalid_transition")
    assert problem_body["current_status"] == "closed"
    assert problem_body["allowed_actions"] == ["reopen"]
    events = await events_of(client, coordinator, case["id"])
    assert [e["type"] for e in events] == ["received", "close_not_administrative"]


@pytest.mark.parametrize("role", [Role.AGENCY_OFFICER, Role.SUPERVISOR, Role.LAWYER])
async def test_only_coordinators_and_admins_classify(client, auth, case, intake, role):
    headers = auth(role, agency_id=uuid.UUID(intake) if role is Role.AGENCY_OFFICER else None)
    response = await classify(client, headers, case["id"], classification_body())
    assert_problem(response, 403)


async def test_a_refused_classification_changes_nothing(client, auth, coordinator, case, intake):
    officer = auth(Role.AGENCY_OFFICER, agency_id=uuid.UUID(intake))
    await classify(client, officer, case["id"], classification_body())
    still = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert still["status"] == "received"
    assert [e["type"] for e in await events_of(client, coordinator, case["id"])] == ["received"]


async def test_an_unknown_business_system_is_refused(client, coordinator, case):
    response = await classify(
        client, coordinator, case["id"], classification_body(business_system="alchemy")
    )
    assert "business_system" in field_errors(response)
    still = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert still["status"] == "received"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"act_type": "magic"}, "act_type"),
        ({"priority": "low"}, "priority"),
        ({"recommended_channel": "arbitration"}, "recommended_channel"),
        ({"chosen_channel": "petition"}, "chosen_channel"),
        ({"status": "classified"}, "status"),
        ({"business_system": "Natural Resources"}, "business_system"),
    ],
)
async def test_classification_fields_are_validated(client, coordinator, case, change, field):
    response = await classify(client, coordinator, case["id"], classification_body(**change))
    assert field in field_errors(response)


async def test_a_missing_condition_is_refused(client, coordinator, case):
    conditions = dict(CONDITIONS_MET)
    del conditions["counterparty_disputes"]
    response = await classify(
        client, coordinator, case["id"], classification_body(conditions=conditions)
    )
    assert "conditions.counterparty_disputes" in field_errors(response)


async def test_classifying_a_missing_case_404(client, coordinator):
    response = await classify(
        client, coordinator, "01a22250-49b8-75d1-bfdb-000000000001", classification_body()
    )
    assert_problem(response, 404)


async def test_classification_is_audited_and_the_list_follows(client, coordinator, admin, case):
    await classify(client, coordinator, case["id"], classification_body(business_system="health"))
    audit = await client.get(
        f"{API}/audit", params={"action": "case.classify", "object_id": case["id"]}, headers=admin
    )
    assert len(audit.json()["items"]) == 1
    listed = await client.get(CASES, params={"business_system": "health"}, headers=coordinator)
    assert [i["id"] for i in listed.json()["items"]] == [case["id"]]


async def test_the_timeline_lists_every_step_in_order(
    client, coordinator, officer_of, case, intake
):
    etag = f'"{case["id"]}.1"'
    corrected = await client.patch(
        f"{CASES}/{case['id']}",
        json={"title": "更正一"},
        headers={**coordinator, "If-Match": etag},
    )
    assert corrected.status_code == 200
    corrected = await client.patch(
        f"{CASES}/{case['id']}",
        json={"facts": "补充事实"},
        headers={**coordinator, "If-Match": corrected.headers["etag"]},
    )
    assert corrected.status_code == 200
    assert (
        await classify(client, coordinator, case["id"], classification_body())
    ).status_code == 200
    assert (
        await classify(client, coordinator, case["id"], classification_body(priority="high"))
    ).status_code == 200
    assert (await classify(client, coordinator, case["id"], not_met_body())).status_code == 200
    events = await events_of(client, officer_of(intake), case["id"])
    assert [e["type"] for e in events] == [
        "received",
        "corrected",
        "corrected",
        "classify",
        "reclassify",
        "close_not_administrative",
    ]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        (None, "received"),
        (None, None),
        (None, None),
        ("received", "classified"),
        ("classified", "classified"),
        ("classified", "closed"),
    ]
    assert events[0]["data"]["case_no"] == case["case_no"]
    moments = [e["occurred_at"] for e in events]
    assert moments == sorted(moments)
    assert len({e["id"] for e in events}) == len(events)
