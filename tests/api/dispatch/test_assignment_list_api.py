"""GET /api/v1/assignments and /assignments/{id} (SPEC 2.7, 4.2): a lawyer sees their own, an
agency officer its agency's lawyers', the center and the bureau all; filters and paging."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.dispatch_world import DispatchWorld
from tests.support.factories import API
from tests.support.problems import assert_problem


@pytest.fixture
async def scene(world: DispatchWorld) -> dict[str, Any]:
    """Agency X with lawyers a and c, agency Y with lawyer b; one offer each on its own case,
    a's accepted."""
    x = await world.agency()
    a = await world.lawyer(x, name="甲")
    c = await world.lawyer(x, name="丙")
    b = await world.lawyer(name="乙")
    offers = {}
    for key, lawyer in (("a", a), ("b", b), ("c", c)):
        case = await world.case()
        offers[key] = await world.offer(case["id"], lawyer_id=lawyer["id"])
    await world.accept(offers["a"])
    return {"x": x, "a": a, "b": b, "c": c, "offers": offers}


def offer_ids(items: list[dict[str, Any]]) -> set[str]:
    return {i["id"] for i in items}


async def test_a_lawyer_sees_only_their_own(world, scene):
    offers = scene["offers"]
    mine = world.as_lawyer(scene["a"])
    assert offer_ids(await world.assignments(mine)) == {offers["a"]["id"]}
    assert await world.assignments(mine, lawyer_id=scene["b"]["id"]) == []
    assert offer_ids(await world.assignments(mine, lawyer_id=scene["a"]["id"])) == {
        offers["a"]["id"]
    }
    assert await world.assignments(mine, case_id=offers["b"]["case_id"]) == []
    assert_problem(
        await world.client.get(f"{API}/assignments/{offers['b']['id']}", headers=mine), 404
    )


async def test_an_officer_sees_the_assignments_of_their_agencys_lawyers(world, scene):
    offers = scene["offers"]
    officer = world.officer(scene["x"]["id"])
    assert offer_ids(await world.assignments(officer)) == {offers["a"]["id"], offers["c"]["id"]}
    assert await world.assignments(officer, lawyer_id=scene["b"]["id"]) == []
    assert offer_ids(await world.assignments(officer, lawyer_id=scene["c"]["id"])) == {
        offers["c"]["id"]
    }
    assert (await world.assignment(offers["c"]["id"], headers=officer))["id"] == offers["c"]["id"]
    assert_problem(
        await world.client.get(f"{API}/assignments/{offers['b']['id']}", headers=officer), 404
    )
    # The respondent's officer reads the case but not the lawyers' assignments.
    case_b = await world.get_case(offers["b"]["case_id"])
    respondent_officer = world.officer(case_b["respondent_agency_id"])
    assert await world.assignments(respondent_officer) == []


@pytest.mark.parametrize("reader", ["coordinator", "admin", "supervisor"])
async def test_the_center_and_the_bureau_see_all(world, scene, reader):
    headers = getattr(world, reader)
    offers = scene["offers"]
    assert offer_ids(await world.assignments(headers)) == {o["id"] for o in offers.values()}
    for offer in offers.values():
        assert (await world.assignment(offer["id"], headers=headers))["id"] == offer["id"]


async def test_filters(world, scene):
    offers = scene["offers"]
    accepted = await world.assignments(status="accepted")
    assert offer_ids(accepted) == {offers["a"]["id"]}
    offered = await world.assignments(status="offered")
    assert offer_ids(offered) == {offers["b"]["id"], offers["c"]["id"]}
    by_case = await world.assignments(case_id=offers["c"]["case_id"])
    assert offer_ids(by_case) == {offers["c"]["id"]}
    by_lawyer = await world.assignments(lawyer_id=scene["b"]["id"])
    assert offer_ids(by_lawyer) == {offers["b"]["id"]}
    both = await world.assignments(lawyer_id=scene["b"]["id"], status="accepted")
    assert both == []
    response = await world.client.get(
        f"{API}/assignments", params={"status": "pending"}, headers=world.coordinator
    )
    assert_problem(response, 422)
    response = await world.client.get(
        f"{API}/assignments", params={"case_id": "not-a-uuid"}, headers=world.coordinator
    )
    assert_problem(response, 422)


async def test_pages_follow_the_cursor_in_a_stable_order(world, scene):
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        response = await world.client.get(
            f"{API}/assignments", params=params, headers=world.coordinator
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 1
        seen.extend(i["id"] for i in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3
    assert seen == [i["id"] for i in await world.assignments()]
    assert_problem(
        await world.client.get(f"{API}/assignments", params={"limit": 0}, headers=world.admin),
        422,
    )


async def test_the_list_needs_credentials(world):
    assert_problem(await world.client.get(f"{API}/assignments"), 401)
