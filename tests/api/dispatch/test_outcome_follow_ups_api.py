"""What follows an outcome (SPEC 2.8): performance (履行情况), satisfaction, the typical-case
nomination (Art. 18) and reopening (SPEC 2.9), each on the timeline and in the audit trail."""

from __future__ import annotations

import pytest

from tests.support.dispatch_world import SYSTEM, DispatchWorld, outcome_body
from tests.support.factories import API, Json, conditions_met, field_errors
from tests.support.problems import assert_problem

SUMMARY = "某街道房屋征收补偿争议，经公职律师主持调解达成协议并已履行。"


async def closed_with(world: DispatchWorld, kind: str) -> tuple[Json, Json, Json]:
    case, lawyer, accepted = await world.in_mediation()
    response = await world.outcome(case["id"], outcome_body(kind))
    assert response.status_code == 201, response.text
    return case, lawyer, accepted


async def last_event(world: DispatchWorld, case_id: str) -> Json:
    return (await world.events(case_id))[-1]


# --- performance --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["reconciled", "mediated"])
@pytest.mark.parametrize("status", ["fulfilled", "breached"])
async def test_performance_of_an_agreement(world, kind, status):
    case, _, _ = await closed_with(world, kind)

    response = await world.follow_up(case["id"], "performance", {"status": status})

    assert response.status_code == 200, response.text
    assert response.json()["performance_status"] == status
    event = await last_event(world, case["id"])
    assert (event["type"], event["data"]) == ("performance", {"status": status})
    [audit] = await world.audit(action="case.performance", object_id=case["id"])
    assert audit["changes"] == {"status": status}
    assert (await world.get_case(case["id"]))["outcome"]["performance_status"] == status


@pytest.mark.parametrize("kind", ["act_corrected", "explained", "withdrawn", "terminated"])
async def test_no_performance_without_an_agreement(world, kind):
    case, _, _ = await closed_with(world, kind)
    assert_problem(
        await world.follow_up(case["id"], "performance", {"status": "fulfilled"}),
        409,
        "no_agreement",
    )
    assert "performance" not in await world.event_types(case["id"])


async def test_no_follow_up_before_an_outcome(world):
    case, _, _ = await world.in_mediation()
    for what, body in (
        ("performance", {"status": "fulfilled"}),
        ("satisfaction", {"score": 4}),
        ("typical-nomination", {"reason": "典型", "summary": SUMMARY}),
    ):
        body_ = assert_problem(await world.follow_up(case["id"], what, body), 409, "no_outcome")
        assert body_["current_status"] == "in_mediation"


async def test_performance_is_validated(world):
    case, _, _ = await closed_with(world, "mediated")
    assert "status" in field_errors(
        await world.follow_up(case["id"], "performance", {"status": "partly"})
    )


# --- satisfaction -------------------------------------------------------------------------


@pytest.mark.parametrize("score", [1, 3, 5])
async def test_satisfaction_from_one_to_five(world, score):
    case, _, _ = await closed_with(world, "explained")
    response = await world.follow_up(case["id"], "satisfaction", {"score": score})
    assert response.status_code == 200, response.text
    assert response.json()["satisfaction_score"] == score
    event = await last_event(world, case["id"])
    assert (event["type"], event["data"]) == ("satisfaction", {"score": score})
    assert len(await world.audit(action="case.satisfaction", object_id=case["id"])) == 1


@pytest.mark.parametrize("score", [0, 6, -1, "很满意"])
async def test_satisfaction_out_of_range_is_422(world, score):
    case, _, _ = await closed_with(world, "explained")
    assert "score" in field_errors(
        await world.follow_up(case["id"], "satisfaction", {"score": score})
    )
    assert "satisfaction" not in await world.event_types(case["id"])


async def test_satisfaction_for_an_unresolved_outcome_too(world):
    case, _, _ = await closed_with(world, "referred_litigation")
    response = await world.follow_up(case["id"], "satisfaction", {"score": 2})
    assert response.status_code == 200, response.text


# --- typical nomination -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["reconciled", "mediated", "act_corrected", "explained", "withdrawn"]
)
async def test_a_resolved_case_is_nominated_once(world, kind):
    case, _, _ = await closed_with(world, kind)

    response = await world.follow_up(
        case["id"], "typical-nomination", {"reason": "化解效果好", "summary": SUMMARY}
    )

    assert response.status_code == 200, response.text
    assert response.json()["typical_nominated_at"] is not None
    event = await last_event(world, case["id"])
    assert (event["type"], event["data"]) == ("typical_nomination", {"reason": "化解效果好"})
    assert len(await world.audit(action="case.typical_nomination", object_id=case["id"])) == 1
    assert_problem(
        await world.follow_up(
            case["id"], "typical-nomination", {"reason": "再次", "summary": SUMMARY}
        ),
        409,
        "already_nominated",
    )
    assert (await world.event_types(case["id"])).count("typical_nomination") == 1


async def test_the_nomination_reason_is_optional_but_not_the_summary(world):
    case, _, _ = await closed_with(world, "mediated")
    missing = await world.follow_up(case["id"], "typical-nomination", {"reason": "典型"})
    assert missing.status_code == 422, missing.text
    response = await world.follow_up(case["id"], "typical-nomination", {"summary": SUMMARY})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "kind",
    ["referred_reconsideration", "referred_litigation", "referred_adjudication", "terminated"],
)
async def test_an_unresolved_case_is_not_typical(world, kind):
    case, _, _ = await closed_with(world, kind)
    response = await world.follow_up(case["id"], "typical-nomination", {"summary": SUMMARY})
    assert_problem(response, 409, "not_resolved")


# --- who -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "body"),
    [
        ("performance", {"status": "fulfilled"}),
        ("satisfaction", {"score": 5}),
        ("typical-nomination", {"reason": "典型", "summary": SUMMARY}),
        ("reopen", {"reason": "申请人反映协议未履行"}),
    ],
)
async def test_only_the_center_follows_up(world, what, body):
    case, lawyer, _ = await closed_with(world, "mediated")
    for headers in (
        world.as_lawyer(lawyer),
        world.supervisor,
        world.officer(case["respondent_agency_id"]),
    ):
        assert_problem(await world.follow_up(case["id"], what, body, headers=headers), 403)
    assert await world.status(case["id"]) == "closed"
    for who in (world.coordinator, world.admin):
        response = await world.follow_up(case["id"], what, body, headers=who)
        if what == "typical-nomination" and who is world.admin:
            assert_problem(response, 409, "already_nominated")
        elif what == "reopen" and who is world.admin:
            assert_problem(response, 409, "invalid_transition")  # already reopened
        else:
            assert response.status_code == 200, response.text


# --- reopen --------------------------------------------------------------------------------


async def test_reopen_returns_a_mediated_case_to_its_presiding_mediator(world):
    case, lawyer, accepted = await closed_with(world, "mediated")
    helper = await world.lawyer()

    response = await world.follow_up(case["id"], "reopen", {"reason": "申请人反映协议未履行"})

    assert response.status_code == 200, response.text
    reopened = response.json()
    assert reopened["status"] == "in_mediation"
    assert (await world.assignment(accepted["id"]))["status"] == "accepted"
    assert (await world.assignment(accepted["id"]))["ended_at"] is None
    event = await last_event(world, case["id"])
    assert event["type"] == "reopened"
    assert (event["from_status"], event["to_status"]) == ("closed", "in_mediation")
    assert event["data"] == {"reason": "申请人反映协议未履行"}
    [audit] = await world.audit(action="case.reopen", object_id=case["id"])
    assert audit["changes"]["to"] == "in_mediation"
    # The mediator goes on: a participating mediator may join, and the presiding lawyer
    # records the new outcome.
    joined = await world.dispatch(case["id"], "participating", lawyer_id=helper["id"])
    assert joined.status_code == 201, joined.text
    again = await world.outcome(
        case["id"], outcome_body("reconciled"), headers=world.as_lawyer(lawyer)
    )
    assert again.status_code == 201, again.text
    assert again.json()["outcome"]["type"] == "reconciled"


async def test_a_reopened_case_has_no_outcome_in_force(world):
    case, _, _ = await closed_with(world, "mediated")
    await world.follow_up(case["id"], "reopen", {"reason": "重新调解"})
    read = await world.get_case(case["id"])
    assert read["status"] == "in_mediation"
    assert read.get("outcome_type") is None
    assert_problem(
        await world.follow_up(case["id"], "satisfaction", {"score": 3}), 409, "no_outcome"
    )


@pytest.mark.parametrize("state", ["received", "classified", "awaiting_acceptance"])
async def test_reopen_without_a_presiding_mediator_returns_to_classified(world, state):
    lawyer = await world.lawyer()
    case = await world.case(classify=state != "received")
    if state == "awaiting_acceptance":
        await world.offer(case["id"], lawyer_id=lawyer["id"])
    closed = await world.outcome(case["id"], outcome_body("withdrawn"))
    assert closed.status_code == 201, closed.text

    response = await world.follow_up(case["id"], "reopen", {"reason": "申请人撤回后又申请"})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "classified"
    if state == "received":
        # Withdrawn before classification: reopened as `classified` without a business
        # system, so nobody matches until the coordinator classifies it (reclassify).
        assert response.json()["business_system"] is None
        assert_problem(await world.dispatch(case["id"]), 409, "no_eligible_mediator")
        classified = await world.client.post(
            f"{API}/cases/{case['id']}/classification",
            json={
                "conditions": conditions_met(),
                "business_system": SYSTEM,
                "act_type": "expropriation",
                "recommended_channel": "reconciliation",
            },
            headers=world.coordinator,
        )
        assert classified.status_code == 200, classified.text
    # …and the center dispatches it afresh; a lawyer whose offer was withdrawn is not
    # excluded as declined_before.
    offer = await world.dispatch(case["id"])
    assert offer.status_code == 201, offer.text
    assert offer.json()["lawyer_id"] == lawyer["id"]


async def test_reopen_only_a_closed_case(world):
    case, _, _ = await world.in_mediation()
    body = assert_problem(
        await world.follow_up(case["id"], "reopen", {"reason": "重新调解"}),
        409,
        "invalid_transition",
    )
    assert body["current_status"] == "in_mediation"


async def test_reopen_needs_a_reason(world):
    case, _, _ = await closed_with(world, "explained")
    for body in ({}, {"reason": ""}, {"reason": "x"}):
        assert "reason" in field_errors(await world.follow_up(case["id"], "reopen", body))
    assert await world.status(case["id"]) == "closed"


async def test_follow_ups_of_a_case_in_order_on_the_timeline(world):
    case, _, _ = await closed_with(world, "mediated")
    for what, body in (
        ("performance", {"status": "fulfilled"}),
        ("satisfaction", {"score": 5}),
        ("typical-nomination", {"reason": "典型", "summary": SUMMARY}),
        ("reopen", {"reason": "申请人反映未履行"}),
    ):
        response = await world.follow_up(case["id"], what, body)
        assert response.status_code == 200, response.text
    types = await world.event_types(case["id"])
    assert types[-5:] == [
        "outcome_recorded",
        "performance",
        "satisfaction",
        "typical_nomination",
        "reopened",
    ]
