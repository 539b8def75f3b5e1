"""Issue 5, "done when": a case goes from intake through classification, dispatch, a declined
offer with a work-conflict ruling, redispatch, acceptance and a recorded outcome entirely
through the API, each step explained and on the timeline, and the audit chain holds."""

from __future__ import annotations

from tests.support.dispatch_world import YANGGU, outcome_body
from tests.support.factories import API, conditions_met


async def test_from_intake_to_closed_through_the_api(world):
    respondent = await world.respondent(region_code=YANGGU)
    first = await world.lawyer(region_code=YANGGU, name="首选律师")  # same county: ranked first
    second = await world.lawyer(name="次选律师")
    case = await world.case(respondent, classify=False)
    assert case["status"] == "received"
    assert case["case_no"].startswith("LC")

    # Classification.
    classified = await world.client.post(
        f"{API}/cases/{case['id']}/classification",
        json={
            "conditions": conditions_met(),
            "business_system": "natural_resources",
            "act_type": "expropriation",
            "priority": "normal",
            "recommended_channel": "reconciliation",
        },
        headers=world.coordinator,
    )
    assert classified.status_code == 200, classified.text
    assert classified.json()["status"] == "classified"

    # Dispatch: the top-ranked lawyer, with the reasons.
    candidates = await world.candidates(case["id"])
    assert [c["lawyer_id"] for c in candidates["eligible"]] == [first["id"], second["id"]]
    dispatched = await world.dispatch(case["id"], key="lifecycle-dispatch-1")
    assert dispatched.status_code == 201, dispatched.text
    offer = dispatched.json()
    assert offer["lawyer_id"] == first["id"]
    why = (await world.assignment(offer["id"]))["reasoning"]
    assert (why["mode"], why["rank"], why["same_county"]) == ("top_ranked", 1, True)

    # The lawyer reports a work conflict; their agency releases them (Art. 9).
    reported = await world.decline(offer, "work_conflict", note="同期承担重大执法任务")
    assert reported["status"] == "conflict_reported"
    released = await world.decide(offer, first, "release", note="经单位负责人同意")
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "declined"

    # Redispatched at once to the next lawyer, who accepts.
    redispatched = await world.live_offer(case["id"])
    assert redispatched is not None
    assert redispatched["lawyer_id"] == second["id"]
    assert redispatched["reasoning"]["mode"] == "top_ranked"
    assert redispatched["reasoning"]["eligible_count"] == 1
    accepted = await world.accept(redispatched)
    assert accepted["status"] == "accepted"
    assert await world.status(case["id"]) == "in_mediation"

    # The presiding lawyer records the outcome.
    recorded = await world.outcome(
        case["id"],
        outcome_body("mediated", hours=[{"lawyer_id": second["id"], "hours": 4}]),
        headers=world.as_lawyer(second),
        key="lifecycle-outcome-1",
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["status"] == "closed"
    assert recorded.json()["outcome"]["resolved"] is True
    assert (await world.assignment(redispatched["id"]))["status"] == "completed"

    # The timeline, step by step, in order.
    events = await world.events(case["id"])
    steps = [(e["type"], e.get("from_status"), e.get("to_status")) for e in events]
    assert steps == [
        ("received", None, "received"),
        ("classify", "received", "classified"),
        ("offer_presiding", "classified", "awaiting_acceptance"),
        ("work_conflict_reported", None, None),
        ("offer_declined", None, None),
        ("presiding_offer_ended", "awaiting_acceptance", "classified"),
        ("offer_presiding", "classified", "awaiting_acceptance"),
        ("offer_accepted", "awaiting_acceptance", "in_mediation"),
        ("outcome_recorded", "in_mediation", "closed"),
    ]
    offers = [e for e in events if e["type"] == "offer_presiding"]
    assert [o["data"]["lawyer_id"] for o in offers] == [first["id"], second["id"]]
    assert [o["data"]["assignment_id"] for o in offers] == [offer["id"], redispatched["id"]]

    # Every step in the audit trail, and the chain intact.
    actions = {
        a["action"]
        for a in await world.audit(object_id=offer["id"])
        + await world.audit(object_id=redispatched["id"])
        + await world.audit(object_id=case["id"])
    }
    assert {
        "case.dispatch",
        "assignment.report_conflict",
        "assignment.declined",
        "assignment.accept",
        "case.outcome",
    } <= actions
    verify = await world.client.get(f"{API}/audit/verify", headers=world.admin)
    assert verify.status_code == 200, verify.text
    assert verify.json()["valid"] is True
