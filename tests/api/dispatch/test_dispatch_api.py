"""POST /api/v1/cases/{id}/dispatch (SPEC 2.7): the top-ranked or a named lawyer, the
coordinator's reasoned override, the refusals, the case states, and Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.support.dispatch_world import OTHER_SYSTEM, YANGGU, DispatchWorld, outcome_body
from tests.support.factories import API, Json, field_errors
from tests.support.problems import assert_problem

OVERRIDE = "该律师熟悉同类征收案件，中心负责人同意破例委派"


async def test_auto_dispatch_offers_the_top_ranked_and_explains_why(world):
    respondent = await world.respondent(region_code=YANGGU)
    await world.lawyer()
    busy = await world.lawyer(region_code=YANGGU)
    await world.load(busy, 1)
    top = await world.lawyer(region_code=YANGGU)
    case = await world.case(respondent)
    expected = (await world.candidates(case["id"]))["eligible"][0]
    assert expected["lawyer_id"] == top["id"]

    response = await world.dispatch(case["id"])

    assert response.status_code == 201, response.text
    offer = response.json()
    assert response.headers["Location"] == f"/api/v1/assignments/{offer['id']}"
    assert offer["lawyer_id"] == top["id"]
    assert offer["case_id"] == case["id"]
    assert offer["role"] == "presiding"
    assert offer["status"] == "offered"
    assert offer["override_reason"] is None
    assert offer["offered_by"] == "coordinator-1"
    read = await world.assignment(offer["id"])
    assert read["reasoning"] == {
        "mode": "top_ranked",
        "rank": 1,
        "eligible_count": 3,
        "open_assignments": 0,
        "last_offered_at": None,
        "same_county": True,
        "business_system": "natural_resources",
        "exclusions": [],
    }
    assert await world.status(case["id"]) == "awaiting_acceptance"
    events = await world.events(case["id"])
    offered = [e for e in events if e["type"] == "offer_presiding"]
    assert len(offered) == 1
    [audit] = await world.audit(action="case.dispatch", object_id=offer["id"])
    assert audit["actor_sub"] == "coordinator-1"
    assert audit["changes"]["rank"] == 1
    assert audit["changes"]["override_reason"] is None


async def test_the_offer_gives_the_policy_response_window(world):
    await world.lawyer()
    case = await world.case()
    offer = await world.offer(case["id"])
    offered_at = datetime.fromisoformat(offer["offered_at"])
    respond_by = datetime.fromisoformat(offer["respond_by"])
    assert (respond_by - offered_at).total_seconds() == 48 * 3600


async def test_a_named_eligible_lawyer_gets_the_offer(world):
    await world.lawyer()
    chosen = await world.lawyer()
    case = await world.case()
    response = await world.dispatch(case["id"], lawyer_id=chosen["id"])
    assert response.status_code == 201, response.text
    offer = response.json()
    assert offer["lawyer_id"] == chosen["id"]
    assert offer["reasoning"]["mode"] == "named"
    assert offer["reasoning"]["rank"] is None
    assert offer["reasoning"]["eligible_count"] == 1  # assessed alone
    assert offer["reasoning"]["exclusions"] == []
    assert "override" not in offer["reasoning"]


async def test_a_named_lawyer_who_is_not_eligible_is_refused_with_the_reasons(world):
    unavailable = await world.lawyer()
    await world.on_leave_today(unavailable)
    case = await world.case()
    body = assert_problem(
        await world.dispatch(case["id"], lawyer_id=unavailable["id"]), 409, "lawyer_not_eligible"
    )
    assert body["reasons"] == ["unavailable"]
    assert body["overridable"] is False
    assert await world.assignments(case_id=case["id"]) == []
    assert await world.status(case["id"]) == "classified"


async def overridden_lawyer(world: DispatchWorld, kind: str) -> Json:
    """A pool lawyer excluded only for ``kind``: specialty_mismatch, at_capacity or both."""
    if kind == "at_capacity":
        lawyer = await world.lawyer()
        await world.load(lawyer, 5)
        return lawyer
    lawyer = await world.lawyer(specialties=[OTHER_SYSTEM])
    if kind == "both":
        for _ in range(5):
            other = await world.case()
            r = await world.dispatch(other["id"], lawyer_id=lawyer["id"], reason=OVERRIDE)
            assert r.status_code == 201, r.text
    return lawyer


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("specialty_mismatch", ["specialty_mismatch"]),
        ("at_capacity", ["at_capacity"]),
        ("both", ["specialty_mismatch", "at_capacity"]),
    ],
)
async def test_a_coordinator_overrides_an_overridable_exclusion_with_a_reason(
    world, kind, expected
):
    lawyer = await overridden_lawyer(world, kind)
    case = await world.case()
    refused = assert_problem(
        await world.dispatch(case["id"], lawyer_id=lawyer["id"]), 409, "lawyer_not_eligible"
    )
    assert refused["reasons"] == expected
    assert refused["overridable"] is True

    response = await world.dispatch(case["id"], lawyer_id=lawyer["id"], reason=OVERRIDE)

    assert response.status_code == 201, response.text
    offer = response.json()
    assert offer["override_reason"] == OVERRIDE
    assert offer["reasoning"]["mode"] == "named"
    assert offer["reasoning"]["override"] == {"reason": OVERRIDE, "set_aside": expected}
    assert (await world.assignment(offer["id"]))["override_reason"] == OVERRIDE
    [audit] = await world.audit(action="case.dispatch", object_id=offer["id"])
    assert audit["changes"]["override_reason"] == OVERRIDE
    offered = [e for e in await world.events(case["id"]) if e["type"] == "offer_presiding"]
    assert offered[-1]["data"]["override"] is True


async def test_an_override_past_capacity_is_counted(world):
    lawyer = await world.lawyer()
    await world.load(lawyer, 5)
    case = await world.case()
    response = await world.dispatch(case["id"], lawyer_id=lawyer["id"], reason=OVERRIDE)
    assert response.status_code == 201, response.text
    other = await world.case()
    found = await world.candidates(other["id"])
    [row] = found["excluded"]
    assert row["reasons"] == ["at_capacity"]
    # Six open: the override put the lawyer above the figure, and it shows.
    assert len(await world.assignments(lawyer_id=lawyer["id"], status="offered")) == 6


async def test_hard_exclusions_are_never_overridden(world):
    respondent = await world.respondent()
    own = await world.lawyer(respondent)
    outside = await world.lawyer(pool=None)
    suspended = await world.lawyer()
    await world.suspend(suspended)
    case = await world.case(respondent)
    for lawyer, reasons in (
        (own, ["conflict_of_interest"]),
        (outside, ["not_in_pool"]),
        (suspended, ["not_in_pool", "certificate_inactive"]),
    ):
        body = assert_problem(
            await world.dispatch(case["id"], lawyer_id=lawyer["id"], reason=OVERRIDE),
            409,
            "lawyer_not_eligible",
        )
        assert body["reasons"] == reasons
        assert body["overridable"] is False
    assert await world.assignments(case_id=case["id"]) == []


async def test_a_hard_exclusion_spoils_an_override_of_a_soft_one(world):
    outside = await world.lawyer(pool=None, specialties=[OTHER_SYSTEM])
    case = await world.case()
    body = assert_problem(
        await world.dispatch(case["id"], lawyer_id=outside["id"], reason=OVERRIDE),
        409,
        "lawyer_not_eligible",
    )
    assert body["reasons"] == ["not_in_pool", "specialty_mismatch"]
    assert body["overridable"] is False


async def test_a_respondent_lawyer_may_be_named_to_participate(world):
    respondent = await world.respondent()
    own = await world.lawyer(respondent)
    await world.lawyer()
    case = await world.case(respondent)
    await world.offer(case["id"])
    response = await world.dispatch(case["id"], "participating", lawyer_id=own["id"])
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "participating"


async def test_only_a_center_coordinator_may_override(world):
    mismatch = await world.lawyer(specialties=[OTHER_SYSTEM])
    case = await world.case()
    body = assert_problem(
        await world.dispatch(
            case["id"], lawyer_id=mismatch["id"], reason=OVERRIDE, headers=world.admin
        ),
        409,
        "lawyer_not_eligible",
    )
    assert body["overridable"] is True
    assert await world.assignments(case_id=case["id"]) == []


async def test_an_admin_dispatches_an_eligible_lawyer(world):
    lawyer = await world.lawyer()
    case = await world.case()
    response = await world.dispatch(case["id"], headers=world.admin)
    assert response.status_code == 201, response.text
    assert response.json()["lawyer_id"] == lawyer["id"]


async def test_nobody_eligible_is_409_with_the_exclusion_summary(world):
    respondent = await world.respondent()
    await world.lawyer(respondent)
    await world.lawyer(pool=None)
    await world.lawyer(specialties=[OTHER_SYSTEM])
    away = await world.lawyer()
    await world.on_leave_today(away)
    case = await world.case(respondent)

    body = assert_problem(await world.dispatch(case["id"]), 409, "no_eligible_mediator")

    assert body["exclusions"] == {
        "conflict_of_interest": 1,
        "not_in_pool": 1,
        "specialty_mismatch": 1,
        "unavailable": 1,
    }
    assert body["excluded_count"] == 4
    assert await world.status(case["id"]) == "classified"
    assert "offer_presiding" not in await world.event_types(case["id"])


async def test_an_empty_pool_is_409_no_eligible_mediator(world):
    case = await world.case()
    body = assert_problem(await world.dispatch(case["id"]), 409, "no_eligible_mediator")
    assert body["exclusions"] == {}
    assert body["excluded_count"] == 0


async def test_presiding_dispatch_needs_a_classified_case(world):
    await world.lawyer()
    case = await world.case(classify=False)
    body = assert_problem(await world.dispatch(case["id"]), 409, "invalid_transition")
    assert body["current_status"] == "received"
    assert await world.assignments(case_id=case["id"]) == []


async def test_a_second_presiding_offer_while_one_is_live_is_refused(world):
    first_lawyer = await world.lawyer()
    other = await world.lawyer()
    case = await world.case()
    first = await world.offer(case["id"], lawyer_id=first_lawyer["id"])
    body = assert_problem(await world.dispatch(case["id"]), 409, "invalid_transition")
    assert body["current_status"] == "awaiting_acceptance"
    assert_problem(
        await world.dispatch(case["id"], lawyer_id=other["id"]), 409, "invalid_transition"
    )
    # Still refused while the offer waits for the agency's ruling on a work conflict.
    await world.decline(first, "work_conflict")
    assert_problem(await world.dispatch(case["id"]), 409, "invalid_transition")
    presiding = [a for a in await world.assignments(case_id=case["id"]) if a["role"] == "presiding"]
    assert [a["id"] for a in presiding] == [first["id"]]
    # And once an offer was accepted.
    case2 = await world.case()
    offer2 = await world.offer(case2["id"], lawyer_id=other["id"])
    await world.accept(offer2)
    body = assert_problem(await world.dispatch(case2["id"]), 409, "invalid_transition")
    assert body["current_status"] == "in_mediation"


async def test_participating_offers_once_the_case_awaits_acceptance_or_is_in_mediation(world):
    presiding = await world.lawyer()
    helper_a = await world.lawyer()
    helper_b = await world.lawyer()
    case = await world.case()
    body = assert_problem(
        await world.dispatch(case["id"], "participating", lawyer_id=helper_a["id"]),
        409,
        "invalid_transition",
    )
    assert body["current_status"] == "classified"

    offer = await world.offer(case["id"], lawyer_id=presiding["id"])
    joined = await world.dispatch(case["id"], "participating", lawyer_id=helper_a["id"])
    assert joined.status_code == 201, joined.text
    assert joined.json()["role"] == "participating"
    assert await world.status(case["id"]) == "awaiting_acceptance"

    await world.accept(offer)
    assert await world.status(case["id"]) == "in_mediation"
    auto = await world.dispatch(case["id"], "participating")
    assert auto.status_code == 201, auto.text
    assert auto.json()["lawyer_id"] == helper_b["id"]  # the others are already assigned
    assert await world.status(case["id"]) == "in_mediation"
    types = await world.event_types(case["id"])
    assert types.count("offer_participating") == 2
    # Nobody left to take part.
    assert_problem(await world.dispatch(case["id"], "participating"), 409, "no_eligible_mediator")


async def test_participating_accept_does_not_move_the_case(world):
    presiding = await world.lawyer()
    helper = await world.lawyer()
    case = await world.case()
    await world.offer(case["id"], lawyer_id=presiding["id"])
    joined = await world.offer(case["id"], "participating", lawyer_id=helper["id"])
    accepted = await world.accept(joined)
    assert accepted["status"] == "accepted"
    assert await world.status(case["id"]) == "awaiting_acceptance"


async def test_no_dispatch_on_a_closed_case(world):
    await world.lawyer()
    case = await world.case()
    response = await world.outcome(case["id"], outcome_body("withdrawn"))
    assert response.status_code == 201, response.text
    assert_problem(await world.dispatch(case["id"]), 409, "invalid_transition")
    assert_problem(await world.dispatch(case["id"], "participating"), 409, "invalid_transition")


async def test_only_the_center_dispatches(world):
    lawyer = await world.lawyer()
    case = await world.case()
    for headers in (
        world.supervisor,
        world.officer(case["respondent_agency_id"]),
        world.as_lawyer(lawyer),
    ):
        assert_problem(await world.dispatch(case["id"], headers=headers), 403)
    assert await world.assignments(case_id=case["id"]) == []


async def test_dispatch_refusals_for_bad_input(world):
    await world.lawyer()
    case = await world.case()
    assert_problem(await world.dispatch(str(uuid.uuid4())), 404)
    codes = field_errors(await world.dispatch(case["id"], reason=OVERRIDE))
    assert codes == {"reason": "reason_without_lawyer"}
    codes = field_errors(await world.dispatch(case["id"], lawyer_id=str(uuid.uuid4())))
    assert codes == {"lawyer_id": "unknown_lawyer"}
    response = await world.client.post(
        f"{API}/cases/{case['id']}/dispatch",
        json={"role": "observer"},
        headers=world.coordinator,
    )
    assert "role" in field_errors(response)
    response = await world.client.post(
        f"{API}/cases/{case['id']}/dispatch",
        json={"role": "presiding", "status": "accepted"},
        headers=world.coordinator,
    )
    assert "status" in field_errors(response)
    assert await world.status(case["id"]) == "classified"


async def test_dispatch_replays_with_the_same_idempotency_key(world):
    await world.lawyer()
    await world.lawyer()
    case = await world.case()
    first = await world.dispatch(case["id"], key="dispatch-key-0001")
    assert first.status_code == 201, first.text
    again = await world.dispatch(case["id"], key="dispatch-key-0001")
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert len(await world.assignments(case_id=case["id"])) == 1
    assert (await world.event_types(case["id"])).count("offer_presiding") == 1

    other_body = await world.dispatch(case["id"], "participating", key="dispatch-key-0001")
    assert field_errors(other_body) == {"header.Idempotency-Key": "idempotency_key_reused"}
    # Another caller's identical key is another key: here it meets the live offer.
    assert_problem(
        await world.dispatch(case["id"], key="dispatch-key-0001", headers=world.admin),
        409,
        "invalid_transition",
    )


async def test_a_refused_dispatch_is_not_stored_under_its_key(world):
    case = await world.case()
    assert_problem(
        await world.dispatch(case["id"], key="dispatch-key-0002"), 409, "no_eligible_mediator"
    )
    lawyer = await world.lawyer()
    retry = await world.dispatch(case["id"], key="dispatch-key-0002")
    assert retry.status_code == 201, retry.text
    assert retry.headers.get("Idempotent-Replayed") is None
    assert retry.json()["lawyer_id"] == lawyer["id"]


async def test_a_second_case_of_a_lawyer_counts_toward_capacity(world: DispatchWorld):
    lawyer = await world.lawyer()
    await world.load(lawyer, 4)
    case = await world.case()
    fifth = await world.dispatch(case["id"])
    assert fifth.status_code == 201, fifth.text
    sixth_case = await world.case()
    body = assert_problem(await world.dispatch(sixth_case["id"]), 409, "no_eligible_mediator")
    assert body["exclusions"] == {"at_capacity": 1}


async def test_a_closed_case_frees_capacity(world):
    lawyer = await world.lawyer()
    offers = await world.load(lawyer, 5)
    case = await world.case()
    assert_problem(await world.dispatch(case["id"]), 409, "no_eligible_mediator")
    closed = await world.outcome(offers[0]["case_id"], outcome_body("withdrawn"))
    assert closed.status_code == 201, closed.text
    response = await world.dispatch(case["id"])
    assert response.status_code == 201, response.text
    assert response.json()["reasoning"]["open_assignments"] == 4
