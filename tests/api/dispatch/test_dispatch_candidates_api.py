"""GET /api/v1/cases/{id}/dispatch-candidates (SPEC 2.7): the ranked eligible with the figures
behind each rank, and the excluded with every reason that applies."""

from __future__ import annotations

import uuid

from tests.support.dispatch_world import OTHER_SYSTEM, YANGGU, DispatchWorld, ids, outcome_body
from tests.support.factories import API, Json
from tests.support.problems import assert_problem


async def offered_then_withdrawn(world: DispatchWorld, lawyer: Json) -> None:
    """Give ``lawyer`` a past offer that no longer counts as open (the applicant withdrew)."""
    other = await world.case()
    await world.offer(other["id"], lawyer_id=lawyer["id"])
    response = await world.outcome(other["id"], outcome_body("withdrawn"))
    assert response.status_code == 201, response.text


async def test_the_eligible_are_ranked_with_the_figures_behind_the_rank(world):
    respondent = await world.respondent(region_code=YANGGU)
    same_county = await world.lawyer(region_code=YANGGU, name="同县")
    never_a = await world.lawyer(name="未委派甲")
    never_b = await world.lawyer(name="未委派乙")
    older = await world.lawyer(name="较早委派")
    recent = await world.lawyer(name="最近委派")
    busy = await world.lawyer(region_code=YANGGU, name="在办一件")
    await offered_then_withdrawn(world, older)
    await offered_then_withdrawn(world, recent)
    await world.load(busy, 1)
    case = await world.case(respondent)

    found = await world.candidates(case["id"])

    assert found["case_id"] == case["id"]
    assert found["role"] == "presiding"
    assert found["max_open_assignments"] == 5
    assert len(found["ranking"]) == 4
    never = sorted([never_a["id"], never_b["id"]])
    expected = [same_county["id"], *never, older["id"], recent["id"], busy["id"]]
    assert ids(found["eligible"]) == expected
    assert [c["rank"] for c in found["eligible"]] == [1, 2, 3, 4, 5, 6]
    assert found["excluded"] == []
    by_id = {c["lawyer_id"]: c for c in found["eligible"]}
    assert by_id[same_county["id"]]["same_county"] is True
    assert by_id[same_county["id"]]["region_code"] == YANGGU
    assert by_id[same_county["id"]]["last_offered_at"] is None
    assert by_id[never_a["id"]]["same_county"] is False
    assert by_id[never_a["id"]]["name"] == "未委派甲"
    assert by_id[never_a["id"]]["agency_id"] == never_a["agency_id"]
    assert by_id[older["id"]]["open_assignments"] == 0
    assert by_id[older["id"]]["last_offered_at"] is not None
    assert by_id[older["id"]]["last_offered_at"] < by_id[recent["id"]]["last_offered_at"]
    assert by_id[busy["id"]]["open_assignments"] == 1
    assert by_id[busy["id"]]["same_county"] is True


async def test_the_excluded_carry_every_reason_and_whether_it_can_be_overridden(world):
    respondent = await world.respondent()
    own = await world.lawyer(respondent, name="被申请单位律师")
    outside = await world.lawyer(pool=None, name="未入库")
    nominated = await world.lawyer(pool="nominated", name="仅被推荐")
    suspended = await world.lawyer(name="证书暂停")
    await world.suspend(suspended)
    mismatch = await world.lawyer(specialties=[OTHER_SYSTEM], name="专业不符")
    full = await world.lawyer(name="已满")
    await world.load(full, 5)
    away = await world.lawyer(name="休假")
    await world.on_leave_today(away)
    refuser = await world.lawyer(name="曾谢绝")
    spare_a = await world.lawyer(name="备选甲")
    spare_b = await world.lawyer(name="备选乙")
    case = await world.case(respondent)
    first = await world.offer(case["id"], lawyer_id=refuser["id"])
    await world.decline(first, "conflict_of_interest")
    redispatched = await world.live_offer(case["id"])
    assert redispatched is not None  # auto_redispatch went to one of the spares
    taken = redispatched["lawyer_id"]
    assert taken in (spare_a["id"], spare_b["id"])
    [free] = [s["id"] for s in (spare_a, spare_b) if s["id"] != taken]

    found = await world.candidates(case["id"])

    reasons = {c["lawyer_id"]: c["reasons"] for c in found["excluded"]}
    assert reasons == {
        own["id"]: ["conflict_of_interest"],
        outside["id"]: ["not_in_pool"],
        nominated["id"]: ["not_in_pool"],
        suspended["id"]: ["not_in_pool", "certificate_inactive"],
        mismatch["id"]: ["specialty_mismatch"],
        full["id"]: ["at_capacity"],
        away["id"]: ["unavailable"],
        refuser["id"]: ["declined_before"],
        taken: ["already_assigned"],
    }
    overridable = {c["lawyer_id"]: c["overridable"] for c in found["excluded"]}
    assert {k for k, v in overridable.items() if v} == {mismatch["id"], full["id"]}
    assert ids(found["eligible"]) == [free]
    assert ids(found["excluded"]) == sorted(reasons)  # stable order: by lawyer id
    by_id = {c["lawyer_id"]: c for c in found["excluded"]}
    assert by_id[full["id"]]["name"] == "已满"
    assert by_id[full["id"]]["agency_id"] == full["agency_id"]


async def test_a_respondent_lawyer_may_participate_but_not_preside(world):
    respondent = await world.respondent()
    own = await world.lawyer(respondent)
    case = await world.case(respondent)

    presiding = await world.candidates(case["id"], "presiding")
    participating = await world.candidates(case["id"], "participating")

    assert presiding["eligible"] == []
    assert presiding["excluded"][0]["reasons"] == ["conflict_of_interest"]
    assert presiding["excluded"][0]["overridable"] is False
    assert participating["role"] == "participating"
    assert ids(participating["eligible"]) == [own["id"]]
    assert participating["excluded"] == []


async def test_presiding_is_the_default_role(world):
    case = await world.case()
    response = await world.client.get(
        f"{API}/cases/{case['id']}/dispatch-candidates", headers=world.coordinator
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "presiding"


async def test_only_the_center_reads_the_candidates(world):
    lawyer = await world.lawyer()
    case = await world.case()
    path = f"{API}/cases/{case['id']}/dispatch-candidates"
    assert (await world.client.get(path, headers=world.admin)).status_code == 200
    for headers in (
        world.supervisor,
        world.officer(case["respondent_agency_id"]),
        world.as_lawyer(lawyer),
    ):
        assert_problem(await world.client.get(path, headers=headers), 403)
    assert_problem(await world.client.get(path), 401)


async def test_candidates_of_an_unknown_case_or_role(world):
    response = await world.client.get(
        f"{API}/cases/{uuid.uuid4()}/dispatch-candidates", headers=world.coordinator
    )
    assert_problem(response, 404)
    case = await world.case()
    response = await world.client.get(
        f"{API}/cases/{case['id']}/dispatch-candidates",
        params={"role": "observer"},
        headers=world.coordinator,
    )
    assert_problem(response, 422)


async def test_an_inactive_lawyer_is_not_a_candidate(world):
    gone = await world.lawyer()
    response = await world.client.patch(
        f"{API}/lawyers/{gone['id']}", json={"active": False}, headers=world.admin
    )
    assert response.status_code == 200, response.text
    stays = await world.lawyer()
    case = await world.case()
    found = await world.candidates(case["id"])
    assert ids(found["eligible"]) == [stays["id"]]
    assert gone["id"] not in ids(found["excluded"])
