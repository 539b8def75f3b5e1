"""The lawyer's answer to an offer and the agency's Art. 9 ruling (SPEC 2.7): accept, decline
for each reason, the work-conflict decision, auto-redispatch, and who may do what."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.support.dispatch_world import DispatchWorld
from tests.support.factories import API, field_errors
from tests.support.problems import assert_problem


async def test_the_lawyer_accepts_and_the_case_goes_into_mediation(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"])

    response = await world.answer(offer, "accept")

    assert response.status_code == 200, response.text
    accepted = response.json()
    assert accepted["status"] == "accepted"
    assert accepted["lawyer_id"] == lawyer["id"]
    assert accepted["responded_at"] is not None
    assert await world.status(case["id"]) == "in_mediation"
    [event] = [e for e in await world.events(case["id"]) if e["type"] == "offer_accepted"]
    assert event["from_status"] == "awaiting_acceptance"
    assert event["to_status"] == "in_mediation"
    assert len(await world.audit(action="assignment.accept", object_id=offer["id"])) == 1
    # The lawyer now reads the case they hold.
    response = await world.client.get(f"{API}/cases/{case['id']}", headers=world.as_lawyer(lawyer))
    assert response.status_code == 200, response.text


async def test_an_offered_lawyer_reads_the_case_and_the_offer(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"])
    mine = world.as_lawyer(lawyer)
    assert (await world.client.get(f"{API}/cases/{case['id']}", headers=mine)).status_code == 200
    assert (await world.assignment(offer["id"], headers=mine))["id"] == offer["id"]


async def test_another_lawyer_can_neither_see_nor_answer_the_offer(world):
    await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"])
    stranger = await world.lawyer()
    headers = world.as_lawyer(stranger)

    assert_problem(await world.answer(offer, "accept", headers=headers), 404)
    assert_problem(
        await world.answer(offer, "decline", {"reason": "conflict_of_interest"}, headers=headers),
        404,
    )
    assert_problem(await world.client.get(f"{API}/assignments/{offer['id']}", headers=headers), 404)
    assert (await world.assignment(offer["id"]))["status"] == "offered"
    assert await world.status(case["id"]) == "awaiting_acceptance"


async def test_those_who_see_an_offer_but_are_not_the_lawyer_may_not_answer_it(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"])
    for headers in (
        world.coordinator,
        world.admin,
        world.supervisor,
        world.officer(lawyer["agency_id"]),
    ):
        assert_problem(
            await world.answer(offer, "accept", headers=headers), 403, "not_your_assignment"
        )
        assert_problem(
            await world.answer(offer, "decline", {"reason": "other", "note": "x"}, headers=headers),
            403,
            "not_your_assignment",
        )
    assert (await world.assignment(offer["id"]))["status"] == "offered"


async def test_an_answer_is_given_once(world):
    await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"])
    await world.accept(offer)
    body = assert_problem(await world.answer(offer, "accept"), 409, "invalid_transition")
    assert body["current_status"] == "accepted"
    assert_problem(
        await world.answer(offer, "decline", {"reason": "conflict_of_interest"}),
        409,
        "invalid_transition",
    )
    assert (await world.assignment(offer["id"]))["decline_reason"] is None


async def test_decline_for_conflict_of_interest_redispatches_to_the_next(world):
    first_lawyer = await world.lawyer()
    second_lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=first_lawyer["id"])

    declined = await world.decline(offer, "conflict_of_interest")

    assert declined["status"] == "declined"
    assert declined["decline_reason"] == "conflict_of_interest"
    assert declined["ended_at"] is not None
    live = await world.live_offer(case["id"])
    assert live is not None
    assert live["lawyer_id"] == second_lawyer["id"]
    assert live["offered_by"] == "system"
    assert live["reasoning"]["mode"] == "top_ranked"
    assert await world.status(case["id"]) == "awaiting_acceptance"
    types = await world.event_types(case["id"])
    tail = types[types.index("offer_declined") :]
    assert tail == ["offer_declined", "presiding_offer_ended", "offer_presiding"]
    ended = [e for e in await world.events(case["id"]) if e["type"] == "presiding_offer_ended"]
    assert ended[0]["from_status"] == "awaiting_acceptance"
    assert ended[0]["to_status"] == "classified"


async def test_decline_other_needs_a_note(world):
    await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"])
    for body in ({"reason": "other"}, {"reason": "other", "note": "   "}):
        response = await world.answer(offer, "decline", body)
        assert_problem(response, 422)
    assert (await world.assignment(offer["id"]))["status"] == "offered"
    assert_problem(await world.answer(offer, "decline", {}), 422)
    assert_problem(await world.answer(offer, "decline", {"reason": "busy"}), 422)

    declined = await world.decline(offer, "other", note="外出学习，无法参加")
    assert declined["status"] == "declined"
    assert declined["decline_note"] == "外出学习，无法参加"


async def test_work_conflict_waits_for_the_agency(world):
    lawyer = await world.lawyer()
    await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])

    reported = await world.decline(offer, "work_conflict", note="当周有执法检查任务")

    assert reported["status"] == "conflict_reported"
    assert reported["decline_reason"] == "work_conflict"
    assert await world.status(case["id"]) == "awaiting_acceptance"
    assert "work_conflict_reported" in await world.event_types(case["id"])
    assert (await world.live_offer(case["id"]) or {}).get("id") == offer["id"]
    # The lawyer cannot accept while the agency decides.
    assert_problem(await world.answer(offer, "accept"), 409, "invalid_transition")
    assert len(await world.audit(action="assignment.report_conflict", object_id=offer["id"])) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "conflict_of_interest"},
        {"reason": "other", "note": "改变主意"},
        {"reason": "work_conflict"},
    ],
    ids=lambda b: b["reason"],
)
async def test_the_lawyer_cannot_decline_again_while_the_agency_decides(world, body):
    """Once reported, the work conflict is the agency's to rule on (Art. 9): only its release
    ends the offer (conflict_reported → declined); the lawyer's own second answer must not
    bypass it and overwrite the reported reason."""
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")

    assert_problem(await world.answer(offer, "decline", body), 409, "invalid_transition")

    still = await world.assignment(offer["id"])
    assert still["status"] == "conflict_reported"
    assert still["decline_reason"] == "work_conflict"
    assert await world.status(case["id"]) == "awaiting_acceptance"


async def test_the_agency_releases_the_lawyer_and_the_case_is_redispatched(world):
    lawyer = await world.lawyer()
    successor = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")

    response = await world.decide(offer, lawyer, "release", note="同意不参加")

    assert response.status_code == 200, response.text
    released = response.json()
    assert released["status"] == "declined"
    assert released["conflict_decision"] == "release"
    assert released["conflict_decision_note"] == "同意不参加"
    assert released["decided_by"] == "王局长"
    live = await world.live_offer(case["id"])
    assert live is not None
    assert live["lawyer_id"] == successor["id"]
    types = await world.event_types(case["id"])
    assert types[-4:] == [
        "work_conflict_reported",
        "offer_declined",
        "presiding_offer_ended",
        "offer_presiding",
    ]
    [audit] = await world.audit(action="assignment.declined", object_id=offer["id"])
    assert audit["actor_sub"] == f"officer-{lawyer['agency_id']}"


async def test_the_agency_keeps_the_lawyer_with_a_new_response_window(world):
    lawyer = await world.lawyer()
    await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")

    response = await world.decide(offer, lawyer, "keep", note="工作可以调整")

    assert response.status_code == 200, response.text
    kept = response.json()
    assert kept["status"] == "offered"
    assert kept["conflict_decision"] == "keep"
    assert kept["responded_at"] is None
    assert datetime.fromisoformat(kept["respond_by"]) > datetime.fromisoformat(offer["respond_by"])
    assert await world.status(case["id"]) == "awaiting_acceptance"
    assert "work_conflict_kept" in await world.event_types(case["id"])
    assert len(await world.audit(action="assignment.conflict_keep", object_id=offer["id"])) == 1
    accepted = await world.accept(kept)
    assert accepted["status"] == "accepted"
    assert await world.status(case["id"]) == "in_mediation"


async def test_an_officer_of_another_agency_cannot_rule(world):
    lawyer = await world.lawyer()
    other_lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")

    foreign = world.officer(other_lawyer["agency_id"])
    response = await world.answer(
        offer, "conflict-decision", {"decision": "release", "decided_by": "王局长"}, foreign
    )
    assert_problem(response, 404)  # another agency's lawyer's assignment is not visible
    respondent_officer = world.officer(case["respondent_agency_id"])
    response = await world.answer(
        offer,
        "conflict-decision",
        {"decision": "release", "decided_by": "王局长"},
        respondent_officer,
    )
    assert_problem(response, 404)
    for headers in (world.coordinator, world.admin, world.as_lawyer(lawyer)):
        response = await world.answer(
            offer, "conflict-decision", {"decision": "release", "decided_by": "王局长"}, headers
        )
        assert_problem(response, 403, "not_own_agency")
    assert (await world.assignment(offer["id"]))["status"] == "conflict_reported"


async def test_a_conflict_decision_needs_a_reported_conflict(world):
    """The agency rules on a work conflict its lawyer reported (Art. 9); it does not answer
    an offer for the lawyer, nor rule twice."""
    lawyer = await world.lawyer()
    await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])

    for decision in ("keep", "release"):
        response = await world.decide(offer, lawyer, decision)
        assert_problem(response, 409, "invalid_transition")
    assert (await world.assignment(offer["id"]))["status"] == "offered"
    assert await world.status(case["id"]) == "awaiting_acceptance"

    await world.decline(offer, "work_conflict")
    assert (await world.decide(offer, lawyer, "release")).status_code == 200
    assert_problem(await world.decide(offer, lawyer, "keep"), 409, "invalid_transition")
    assert_problem(await world.decide(offer, lawyer, "release"), 409, "invalid_transition")


async def test_a_conflict_decision_is_validated(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "work_conflict")
    response = await world.answer(
        offer,
        "conflict-decision",
        {"decision": "maybe", "decided_by": "王局长"},
        world.officer(lawyer["agency_id"]),
    )
    assert "decision" in field_errors(response)


async def test_redispatch_with_nobody_left_leaves_the_case_classified(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])

    await world.decline(offer, "conflict_of_interest")

    assert await world.status(case["id"]) == "classified"
    assert await world.live_offer(case["id"]) is None
    events = await world.events(case["id"])
    assert [e["type"] for e in events][-3:] == [
        "offer_declined",
        "presiding_offer_ended",
        "redispatch_failed",
    ]
    failed = events[-1]
    assert failed["data"]["code"] == "no_eligible_mediator"
    assert failed["data"]["exclusions"] == {"declined_before": 1}


async def test_declined_before_excludes_the_lawyer_from_the_same_case_only(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "other", note="身体原因")

    found = await world.candidates(case["id"])
    assert found["excluded"][0]["reasons"] == ["declined_before"]
    body = assert_problem(
        await world.dispatch(case["id"], lawyer_id=lawyer["id"]), 409, "lawyer_not_eligible"
    )
    assert body["reasons"] == ["declined_before"]
    assert body["overridable"] is False
    # Not even for a participating role, nor with an override.
    assert_problem(
        await world.dispatch(case["id"], lawyer_id=lawyer["id"], reason="中心坚持委派"),
        409,
        "lawyer_not_eligible",
    )
    # Another case is fine.
    other = await world.case()
    assert (await world.offer(other["id"]))["lawyer_id"] == lawyer["id"]


async def test_a_declined_offer_no_longer_opens_the_case_to_the_lawyer(world):
    lawyer = await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.decline(offer, "conflict_of_interest")
    headers = world.as_lawyer(lawyer)
    assert_problem(await world.client.get(f"{API}/cases/{case['id']}", headers=headers), 404)
    # The lawyer still sees their own (declined) assignment.
    assert (await world.assignment(offer["id"], headers=headers))["status"] == "declined"


@pytest.mark.parametrize("role", ["presiding", "participating"])
async def test_an_unknown_assignment_is_404(world, role):
    lawyer = await world.lawyer()
    fake = {"id": str(uuid.uuid4()), "lawyer_id": lawyer["id"], "role": role}
    assert_problem(await world.answer(fake, "accept"), 404)
    assert_problem(
        await world.client.get(f"{API}/assignments/{fake['id']}", headers=world.admin), 404
    )


async def test_declining_a_participating_offer_does_not_move_the_case(world: DispatchWorld):
    presiding = await world.lawyer()
    helper = await world.lawyer()
    case = await world.case()
    await world.offer(case["id"], lawyer_id=presiding["id"])
    joined = await world.offer(case["id"], "participating", lawyer_id=helper["id"])
    declined = await world.decline(joined, "conflict_of_interest")
    assert declined["status"] == "declined"
    assert await world.status(case["id"]) == "awaiting_acceptance"
    types = await world.event_types(case["id"])
    assert "presiding_offer_ended" not in types
    assert types.count("offer_presiding") == 1
