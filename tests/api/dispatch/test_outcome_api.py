"""POST /api/v1/cases/{id}/outcome (SPEC 2.8, 2.9): who records it, each type with its
required parts, which states allow which types, and what recording does to the case and its
assignments."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.support.dispatch_world import DispatchWorld, outcome_body
from tests.support.factories import API, field_errors, today
from tests.support.problems import assert_problem

RESOLVED = ["reconciled", "mediated", "act_corrected", "explained", "withdrawn"]
UNRESOLVED = [
    "referred_reconsideration",
    "referred_litigation",
    "referred_adjudication",
    "terminated",
]


async def test_the_accepted_presiding_lawyer_records_the_outcome(world):
    case, lawyer, accepted = await world.in_mediation()
    body = outcome_body(
        "mediated",
        sessions=[
            {"held_on": today().isoformat(), "location": "市和解中心", "minutes": "第一次调解"}
        ],
        hours=[{"lawyer_id": lawyer["id"], "hours": 3.5}],
    )

    response = await world.outcome(case["id"], body, headers=world.as_lawyer(lawyer))

    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"/api/v1/cases/{case['id']}"
    closed = response.json()
    assert closed["status"] == "closed"
    assert closed["outcome"]["type"] == "mediated"
    assert closed["outcome"]["resolved"] is True
    assert closed["outcome"]["agreement"]["document_no"] == body["agreement"]["document_no"]
    assert closed["outcome"]["sessions"][0]["location"] == "市和解中心"
    assert closed["outcome"]["hours"] == [{"lawyer_id": lawyer["id"], "hours": 3.5}]
    assert closed["outcome"]["recorded_by"] == f"lawyer-{lawyer['id']}"
    assert (await world.assignment(accepted["id"]))["status"] == "completed"
    [event] = [e for e in await world.events(case["id"]) if e["type"] == "outcome_recorded"]
    assert event["from_status"] == "in_mediation"
    assert event["to_status"] == "closed"
    assert event["data"]["type"] == "mediated"
    assert event["data"]["resolved"] is True
    assert len(await world.audit(action="case.outcome", object_id=case["id"])) == 1


@pytest.mark.parametrize("who", ["coordinator", "admin"])
async def test_the_center_records_the_outcome(world, who):
    case, _, accepted = await world.in_mediation()
    response = await world.outcome(
        case["id"], outcome_body("explained"), headers=getattr(world, who)
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "closed"
    assert (await world.assignment(accepted["id"]))["status"] == "completed"


async def test_recording_completes_accepted_and_withdraws_unanswered_assignments(world):
    case, _, presiding = await world.in_mediation()
    helper = await world.lawyer()
    late = await world.lawyer()
    reporter = await world.lawyer()
    declined_helper = await world.lawyer()
    joined = await world.offer(case["id"], "participating", lawyer_id=helper["id"])
    await world.accept(joined)
    unanswered = await world.offer(case["id"], "participating", lawyer_id=late["id"])
    reported = await world.offer(case["id"], "participating", lawyer_id=reporter["id"])
    await world.decline(reported, "work_conflict")
    declined = await world.offer(case["id"], "participating", lawyer_id=declined_helper["id"])
    await world.decline(declined, "conflict_of_interest")

    response = await world.outcome(case["id"], outcome_body("reconciled"))

    assert response.status_code == 201, response.text
    statuses = {a["id"]: a["status"] for a in await world.assignments(case_id=case["id"])}
    assert statuses == {
        presiding["id"]: "completed",
        joined["id"]: "completed",
        unanswered["id"]: "withdrawn",
        reported["id"]: "withdrawn",
        declined["id"]: "declined",
    }
    # Capacity is free again, and the withdrawn offer can no longer be accepted.
    assert_problem(await world.answer(unanswered, "accept"), 409, "invalid_transition")


async def test_a_participating_lawyer_may_not_record_the_outcome(world):
    case, _, _ = await world.in_mediation()
    helper = await world.lawyer()
    joined = await world.offer(case["id"], "participating", lawyer_id=helper["id"])
    await world.accept(joined)
    assert_problem(
        await world.outcome(case["id"], outcome_body("mediated"), headers=world.as_lawyer(helper)),
        403,
        "not_presiding",
    )
    assert await world.status(case["id"]) == "in_mediation"


async def test_a_presiding_lawyer_who_has_not_accepted_may_not_record_it(world):
    lawyer = await world.lawyer()
    case = await world.case()
    await world.offer(case["id"], lawyer_id=lawyer["id"])
    assert_problem(
        await world.outcome(case["id"], outcome_body("withdrawn"), headers=world.as_lawyer(lawyer)),
        403,
        "not_presiding",
    )
    assert await world.status(case["id"]) == "awaiting_acceptance"


async def test_a_lawyer_not_on_the_case_cannot_see_it(world):
    case, _, _ = await world.in_mediation()
    stranger = await world.lawyer()
    assert_problem(
        await world.outcome(
            case["id"], outcome_body("mediated"), headers=world.as_lawyer(stranger)
        ),
        404,
    )
    assert await world.status(case["id"]) == "in_mediation"


async def test_others_who_read_the_case_may_not_record_it(world):
    case, lawyer, _ = await world.in_mediation()
    for headers in (
        world.supervisor,
        world.officer(case["respondent_agency_id"]),
    ):
        assert_problem(
            await world.outcome(case["id"], outcome_body("explained"), headers=headers), 403
        )
    # An officer of the presiding lawyer's agency does not even see the case.
    assert_problem(
        await world.outcome(
            case["id"], outcome_body("explained"), headers=world.officer(lawyer["agency_id"])
        ),
        404,
    )
    assert await world.status(case["id"]) == "in_mediation"


@pytest.mark.parametrize("kind", RESOLVED + UNRESOLVED)
async def test_every_outcome_type_in_mediation(world, kind):
    case, _, _ = await world.in_mediation()
    response = await world.outcome(case["id"], outcome_body(kind))
    assert response.status_code == 201, response.text
    closed = response.json()
    assert closed["status"] == "closed"
    assert closed["outcome"]["type"] == kind
    assert closed["outcome"]["resolved"] is (kind in RESOLVED)
    if kind.startswith("referred_"):
        assert closed["outcome"]["referral"]["authority"]


@pytest.mark.parametrize(
    ("kind", "missing", "code"),
    [
        ("reconciled", "agreement", "agreement_required"),
        ("mediated", "agreement", "agreement_required"),
        ("referred_reconsideration", "referral", "referral_required"),
        ("referred_litigation", "referral", "referral_required"),
        ("referred_adjudication", "referral", "referral_required"),
    ],
)
async def test_the_required_parts_of_each_type(world, kind, missing, code):
    case, _, _ = await world.in_mediation()
    body = outcome_body(kind)
    del body[missing]
    response = await world.outcome(case["id"], body)
    assert code in field_errors(response).values()
    assert await world.status(case["id"]) == "in_mediation"


async def test_an_agreement_needs_its_document_number(world):
    case, _, _ = await world.in_mediation()
    body = outcome_body("mediated", agreement={"performance_due_on": today().isoformat()})
    assert "agreement.document_no" in field_errors(await world.outcome(case["id"], body))


async def test_not_administrative_dispute_is_set_by_classification_only(world):
    case, _, _ = await world.in_mediation()
    response = await world.outcome(case["id"], outcome_body("not_administrative_dispute"))
    assert "set_by_classification" in field_errors(response).values()
    assert await world.status(case["id"]) == "in_mediation"


async def test_outcome_body_validation(world):
    case, _, _ = await world.in_mediation()
    for body, field in (
        ({"type": "explained", "concluded_on": today().isoformat()}, "summary"),
        ({**outcome_body("explained"), "status": "closed"}, "status"),
        ({**outcome_body("explained"), "type": "succeeded"}, "type"),
        (
            {**outcome_body("explained"), "hours": [{"lawyer_id": str(uuid.uuid4()), "hours": 0}]},
            "hours.0.hours",
        ),
    ):
        assert field in field_errors(await world.outcome(case["id"], body)), body


@pytest.mark.parametrize("concluded", [1, -3650])
async def test_the_conclusion_date_lies_between_intake_and_today(world, concluded):
    case, _, _ = await world.in_mediation()
    day = (today() + timedelta(days=concluded)).isoformat()
    response = await world.outcome(case["id"], outcome_body("explained", concluded_on=day))
    assert field_errors(response) == {"concluded_on": "out_of_range"}


async def test_hours_only_for_lawyers_on_the_case(world):
    case, lawyer, _ = await world.in_mediation()
    stranger = await world.lawyer()
    body = outcome_body(
        "mediated",
        hours=[
            {"lawyer_id": lawyer["id"], "hours": 2},
            {"lawyer_id": stranger["id"], "hours": 1},
        ],
    )
    assert field_errors(await world.outcome(case["id"], body)) == {
        "hours.1.lawyer_id": "not_assigned"
    }
    assert await world.status(case["id"]) == "in_mediation"


@pytest.mark.parametrize("state", ["received", "classified", "awaiting_acceptance"])
async def test_withdrawn_closes_the_case_in_any_open_state(world, state):
    lawyer = await world.lawyer()
    case = await world.case(classify=state != "received")
    offer = None
    if state == "awaiting_acceptance":
        offer = await world.offer(case["id"], lawyer_id=lawyer["id"])

    response = await world.outcome(case["id"], outcome_body("withdrawn", summary="申请人撤回"))

    assert response.status_code == 201, response.text
    closed = response.json()
    assert closed["status"] == "closed"
    assert closed["outcome"]["type"] == "withdrawn"
    assert closed["outcome"]["resolved"] is True
    [event] = [e for e in await world.events(case["id"]) if e["type"] == "outcome_recorded"]
    assert event["from_status"] == state
    if offer is not None:
        assert (await world.assignment(offer["id"]))["status"] == "withdrawn"
        assert_problem(await world.answer(offer, "accept"), 409, "invalid_transition")
        # A withdrawn offer is not a refusal, and frees the lawyer.
        other = await world.case()
        assert (await world.offer(other["id"]))["lawyer_id"] == lawyer["id"]


@pytest.mark.parametrize("state", ["received", "classified", "awaiting_acceptance"])
@pytest.mark.parametrize("kind", ["mediated", "explained", "referred_litigation", "terminated"])
async def test_other_types_need_a_mediation(world, state, kind):
    lawyer = await world.lawyer()
    case = await world.case(classify=state != "received")
    if state == "awaiting_acceptance":
        await world.offer(case["id"], lawyer_id=lawyer["id"])
    body = assert_problem(
        await world.outcome(case["id"], outcome_body(kind)), 409, "invalid_transition"
    )
    assert body["current_status"] == state
    assert body["allowed_outcomes"] == ["withdrawn"]
    assert await world.status(case["id"]) == state


async def test_a_closed_case_takes_no_second_outcome(world):
    case, _, _ = await world.in_mediation()
    assert (await world.outcome(case["id"], outcome_body("explained"))).status_code == 201
    body = assert_problem(
        await world.outcome(case["id"], outcome_body("withdrawn")), 409, "invalid_transition"
    )
    assert body["current_status"] == "closed"
    types = await world.event_types(case["id"])
    assert types.count("outcome_recorded") == 1


async def test_an_unknown_case_is_404(world):
    assert_problem(await world.outcome(str(uuid.uuid4()), outcome_body("withdrawn")), 404)


async def test_outcome_replays_with_the_same_idempotency_key(world):
    case, lawyer, _ = await world.in_mediation()
    headers = world.as_lawyer(lawyer)
    body = outcome_body("mediated")

    first = await world.outcome(case["id"], body, headers=headers, key="outcome-key-0001")
    again = await world.outcome(case["id"], body, headers=headers, key="outcome-key-0001")

    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert (await world.event_types(case["id"])).count("outcome_recorded") == 1
    changed = await world.outcome(
        case["id"], outcome_body("explained"), headers=headers, key="outcome-key-0001"
    )
    assert field_errors(changed) == {"header.Idempotency-Key": "idempotency_key_reused"}
    # Another caller with the same key is another request: the case is already closed.
    assert_problem(
        await world.outcome(case["id"], body, key="outcome-key-0001"), 409, "invalid_transition"
    )


async def test_a_refused_outcome_leaves_its_key_unused(world: DispatchWorld):
    case, _, _ = await world.in_mediation()
    body = outcome_body("mediated")
    del body["agreement"]
    assert (await world.outcome(case["id"], body, key="outcome-key-0002")).status_code == 422
    stranger = await world.lawyer()
    bad_hours = outcome_body("mediated", hours=[{"lawyer_id": stranger["id"], "hours": 1}])
    assert (await world.outcome(case["id"], bad_hours, key="outcome-key-0003")).status_code == 422
    good = await world.outcome(case["id"], outcome_body("mediated"), key="outcome-key-0003")
    assert good.status_code == 201, good.text
    assert good.headers.get("Idempotent-Replayed") is None


async def test_the_case_read_shows_the_outcome(world):
    case, _, _ = await world.in_mediation()
    await world.outcome(case["id"], outcome_body("act_corrected"))
    read = await world.get_case(case["id"])
    assert read["status"] == "closed"
    assert read["outcome"]["type"] == "act_corrected"
    response = await world.client.get(f"{API}/cases/{case['id']}/events", headers=world.admin)
    assert response.status_code == 200
