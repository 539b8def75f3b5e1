"""GET /api/v1/cases/{id}/classification-suggestion (SPEC 2.6): the respondent as evidence,
the evidence's roles, and the method the suggestion was made with."""

from typing import Any

import pytest

from tests.support.factories import CASES, agencies_of_kind, case_body, create_case


@pytest.fixture
async def organ_of(client, admin):
    organs = await agencies_of_kind(client, admin, "administrative_organ")

    def pick(business_system: str) -> str:
        return str(next(o["id"] for o in organs if o["business_system"] == business_system))

    return pick


async def suggestion_of(client, headers, case_id) -> dict[str, Any]:
    response = await client.get(f"{CASES}/{case_id}/classification-suggestion", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_method_is_stated(suggestion: dict[str, Any]) -> None:
    assert suggestion["method"] in {"lexicon", "lexicon+model"}
    with_model = suggestion["method"] == "lexicon+model"
    for candidate in suggestion["business_systems"] + suggestion["act_types"]:
        assert (candidate["model_score"] is not None) is with_model


async def test_the_respondents_system_leads_when_the_text_names_no_other_author(
    client, coordinator, intake, organ_of
):
    case = await create_case(
        client,
        coordinator,
        case_body(
            intake,
            organ_of("market_regulation"),
            title="对罚款决定不服",
            facts="店里卖的东西被罚了五万块，我觉得罚得太重了，派出所的人也来看过。",
            claims="请求减轻罚款",
        ),
    )
    suggestion = await suggestion_of(client, coordinator, case["id"])
    assert suggestion["business_systems"][0]["code"] == "market_regulation"
    assert suggestion["business_systems"][0]["prior"] > 0
    assert suggestion["respondent"] == {
        "business_system": "market_regulation",
        "applied": True,
        "overridden_by": None,
        "reason": suggestion["respondent"]["reason"],
        "evidence": [],
    }
    assert "market_regulation" in suggestion["respondent"]["reason"]
    police = [c for c in suggestion["business_systems"] if c["code"] == "public_security"]
    assert all(e["role"] == "context" for c in police for e in c["evidence"])
    assert suggestion["act_types"][0]["code"] == "administrative_penalty"
    assert_method_is_stated(suggestion)


async def test_the_text_overrides_the_respondent_when_it_names_another_organ_as_author(
    client, coordinator, intake, organ_of
):
    case = await create_case(
        client,
        coordinator,
        case_body(
            intake,
            organ_of("market_regulation"),
            act={
                "type": "administrative_confirmation",
                "description": "不予认定工伤",
            },
            title="工伤认定不服",
            facts="我在厂里干活受了伤，向人社局申请工伤认定，人社局作出不予认定工伤的决定。",
            claims="请求撤销不予认定工伤决定",
        ),
    )
    before = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    suggestion = await suggestion_of(client, coordinator, case["id"])
    assert suggestion["business_systems"][0]["code"] == "human_resources_social_security"
    respondent = suggestion["respondent"]
    assert respondent["business_system"] == "market_regulation"
    assert respondent["applied"] is False
    assert respondent["overridden_by"] == "human_resources_social_security"
    assert {(e["keyword"], e["role"]) for e in respondent["evidence"]} == {
        ("人社局", "acting_organ")
    }
    assert "人社局" in respondent["reason"]
    assert_method_is_stated(suggestion)
    after = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert after["version"] == before["version"]
    assert after["business_system"] == before["business_system"]
