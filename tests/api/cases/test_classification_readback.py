"""The case shows its current classification; the history is a list of its own (SPEC 2.6)."""

import uuid
from typing import Any

import httpx
import pytest

from app.states.codes import Role
from tests.support.factories import (
    CASES,
    CONDITIONS_MET,
    case_body,
    classification_body,
    classify,
    create_case,
    not_met_body,
)
from tests.support.problems import assert_problem


@pytest.fixture
async def case(client, coordinator, intake, respondent):
    return await create_case(client, coordinator, case_body(intake, respondent))


async def history(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, **params: Any
) -> dict[str, Any]:
    response = await client.get(
        f"{CASES}/{case_id}/classifications", headers=headers, params=params
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_new_case_has_no_classification(client, coordinator, case):
    assert case["classification"] is None
    assert (await history(client, coordinator, case["id"])) == {"items": [], "next_cursor": None}


async def test_the_case_shows_the_classification_it_was_given(client, auth, case):
    headers = auth(Role.CENTER_COORDINATOR, sub="center-zhou")
    conditions = dict(CONDITIONS_MET)
    conditions["organ_party"] = {"met": True, "note": "被申请人为市场监管局"}
    body = classification_body(
        conditions=conditions,
        business_system="market_regulation",
        act_type="administrative_penalty",
        priority="high",
        recommended_channel="reconciliation",
        channels_explained=["reconciliation", "mediation", "litigation"],
        chosen_channel="reconciliation",
    )
    classified = (await classify(client, headers, case["id"], body)).json()
    shown = classified["classification"]
    assert shown["case_id"] == case["id"]
    assert shown["all_met"] is True
    assert shown["conditions"]["organ_party"] == {"met": True, "note": "被申请人为市场监管局"}
    assert set(shown["conditions"]) == set(CONDITIONS_MET)
    assert shown["business_system"] == "market_regulation"
    assert shown["act_type"] == "administrative_penalty"
    assert shown["priority"] == "high"
    assert shown["recommended_channel"] == "reconciliation"
    assert shown["channels_explained"] == ["reconciliation", "mediation", "litigation"]
    assert shown["chosen_channel"] == "reconciliation"
    assert shown["created_by"] == "center-zhou"
    assert shown["created_at"]
    read = (await client.get(f"{CASES}/{case['id']}", headers=headers)).json()
    assert read["classification"] == shown


async def test_reclassification_replaces_the_current_one_and_keeps_history(
    client, coordinator, case
):
    first = (await classify(client, coordinator, case["id"], classification_body())).json()
    second = (
        await classify(
            client, coordinator, case["id"], classification_body(business_system="taxation")
        )
    ).json()
    assert second["classification"]["business_system"] == "taxation"
    assert second["classification"]["id"] != first["classification"]["id"]
    items = (await history(client, coordinator, case["id"]))["items"]
    assert [i["id"] for i in items] == [
        first["classification"]["id"],
        second["classification"]["id"],
    ]
    assert [i["business_system"] for i in items] == ["market_regulation", "taxation"]


async def test_history_pages_follow_the_cursor(client, coordinator, case):
    systems = ["market_regulation", "taxation", "transport"]
    for system in systems:
        response = await classify(
            client, coordinator, case["id"], classification_body(business_system=system)
        )
        assert response.status_code == 200, response.text
    first = await history(client, coordinator, case["id"], limit=2)
    assert [i["business_system"] for i in first["items"]] == systems[:2]
    assert first["next_cursor"]
    rest = await history(client, coordinator, case["id"], limit=2, cursor=first["next_cursor"])
    assert [i["business_system"] for i in rest["items"]] == systems[2:]
    assert rest["next_cursor"] is None


async def test_out_of_scope_classification_is_shown_with_its_referral(client, coordinator, case):
    closed = (await classify(client, coordinator, case["id"], not_met_body())).json()
    shown = closed["classification"]
    assert shown["all_met"] is False
    assert shown["conditions"]["legal_rights_obligations"]["met"] is False
    assert shown["referral_note"] == "已告知申请人向单位内部申诉渠道反映"


async def test_numbers_written_into_notes_are_masked(client, coordinator, case):
    conditions = dict(CONDITIONS_MET)
    conditions["counterparty_disputes"] = {"met": True, "note": "申请人电话13812345678"}
    body = classification_body(conditions=conditions)
    shown = (await classify(client, coordinator, case["id"], body)).json()["classification"]
    note = shown["conditions"]["counterparty_disputes"]["note"]
    assert "13812345678" not in note
    assert note.startswith("申请人电话138")
    listed = (await history(client, coordinator, case["id"]))["items"][0]
    assert "13812345678" not in listed["conditions"]["counterparty_disputes"]["note"]


async def test_history_is_visible_as_the_case_is(client, auth, officer_of, case, intake, bystander):
    await classify(client, auth(Role.CENTER_COORDINATOR), case["id"], classification_body())
    assert len((await history(client, officer_of(intake), case["id"]))["items"]) == 1
    assert_problem(
        await client.get(f"{CASES}/{case['id']}/classifications", headers=officer_of(bystander)),
        404,
    )
    assert_problem(
        await client.get(
            f"{CASES}/{uuid.uuid4()}/classifications", headers=auth(Role.CENTER_COORDINATOR)
        ),
        404,
    )
