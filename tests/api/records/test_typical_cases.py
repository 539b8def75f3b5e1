"""Typical cases (SPEC 2.13): a nomination's text names no applicant; the supervisor's
selection owns the window's nominations, decides, publishes and is then frozen; every role
reads the published cases, which carry no personal data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.clock import today_shanghai
from tests.support.dispatch_world import DispatchWorld, outcome_body
from tests.support.factories import API, field_errors, list_all

Json = dict[str, Any]
SELECTIONS = f"{API}/typical-case-selections"
SUMMARY = "某街道房屋征收补偿争议，经公职律师主持调解达成协议并已履行。"


@pytest.fixture
def world(client: Any, auth: Any) -> DispatchWorld:
    return DispatchWorld(client, auth)


async def closed_case(world: DispatchWorld, kind: str = "mediated") -> Json:
    case, _, _ = await world.in_mediation()
    response = await world.outcome(case["id"], outcome_body(kind))
    assert response.status_code == 201, response.text
    return case


async def nominate(world: DispatchWorld, case: Json, **body: Any) -> Any:
    return await world.follow_up(
        case["id"], "typical-nomination", {"reason": "示范意义", "summary": SUMMARY, **body}
    )


async def nominated(world: DispatchWorld) -> Json:
    case = await closed_case(world)
    response = await nominate(world, case)
    assert response.status_code == 200, response.text
    return case


async def open_selection(world: DispatchWorld, days_back: int = 7, days_on: int = 7) -> Json:
    today = today_shanghai()
    body = {
        "title": f"{today.year}年度典型案例",
        "year": today.year,
        "nominations_from": (today - timedelta(days=days_back)).isoformat(),
        "nominations_to": (today + timedelta(days=days_on)).isoformat(),
    }
    response = await world.client.post(SELECTIONS, json=body, headers=world.supervisor)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    assert response.headers["location"] == f"/api/v1/typical-case-selections/{created['id']}"
    return created


async def decide(world: DispatchWorld, selection: Json, case: Json, decision: str) -> Any:
    return await world.client.post(
        f"{SELECTIONS}/{selection['id']}/decisions",
        json={"case_id": case["id"], "decision": decision, "note": "评审意见"},
        headers=world.supervisor,
    )


# --- the nomination's text ------------------------------------------------------------------


async def test_a_summary_naming_the_applicant_is_refused(world):
    case = await closed_case(world)
    response = await nominate(world, case, summary="王某某不服征收补偿决定，经调解达成协议。")
    assert field_errors(response) == {"summary": "summary_not_deidentified"}
    response = await nominate(world, case, summary="申请人电话13912345678，经调解达成协议。")
    assert field_errors(response) == {"summary": "summary_not_deidentified"}
    assert (await nominate(world, case)).status_code == 200


async def test_the_title_to_publish_is_checked_too(world):
    case = await closed_case(world)
    response = await nominate(world, case, title="王某某征收补偿案")
    assert field_errors(response) == {"title": "summary_not_deidentified"}


# --- the selection --------------------------------------------------------------------------


async def test_a_selection_owns_the_nominations_of_its_window(world):
    case = await nominated(world)
    current = await open_selection(world)
    earlier = await open_selection(world, days_back=60, days_on=-30)
    url = f"{SELECTIONS}/{current['id']}/nominations"
    listed = (await world.client.get(url, headers=world.supervisor)).json()
    mine = [n for n in listed if n["case_id"] == case["id"]]
    assert len(mine) == 1
    assert (mine[0]["summary"], mine[0]["title"], mine[0]["decision"]) == (
        SUMMARY,
        "征收补偿争议",
        None,
    )
    url = f"{SELECTIONS}/{earlier['id']}/nominations"
    listed = (await world.client.get(url, headers=world.supervisor)).json()
    assert case["id"] not in {n["case_id"] for n in listed}
    response = await decide(world, earlier, case, "selected")
    assert field_errors(response) == {"case_id": "not_nominated"}


async def test_decisions_change_until_publication_and_then_freeze(world):
    case = await nominated(world)
    selection = await open_selection(world)
    assert (await decide(world, selection, case, "selected")).status_code == 200
    changed = await decide(world, selection, case, "not_selected")
    assert changed.status_code == 200, changed.text
    assert changed.json()["decision"] == "not_selected"
    url = f"{SELECTIONS}/{selection['id']}/nominations"
    listed = (await world.client.get(url, headers=world.supervisor)).json()
    assert [n["decision"] for n in listed if n["case_id"] == case["id"]] == ["not_selected"]
    assert (await decide(world, selection, case, "selected")).status_code == 200

    published = await world.client.post(
        f"{SELECTIONS}/{selection['id']}/publish", headers=world.supervisor
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    for response in (
        await decide(world, selection, case, "not_selected"),
        await world.client.post(
            f"{SELECTIONS}/{selection['id']}/publish", headers=world.supervisor
        ),
    ):
        assert response.status_code == 409, response.text
        problem = response.json()
        assert (problem["code"], problem["current_status"]) == ("invalid_transition", "published")


async def test_every_role_reads_the_published_cases_without_personal_data(world):
    chosen, passed_over, unpublished = [await nominated(world) for _ in range(3)]
    selection = await open_selection(world)
    assert (await decide(world, selection, chosen, "selected")).status_code == 200
    assert (await decide(world, selection, passed_over, "not_selected")).status_code == 200
    await world.client.post(f"{SELECTIONS}/{selection['id']}/publish", headers=world.supervisor)
    later = await open_selection(world)
    assert (await decide(world, later, unpublished, "selected")).status_code == 200

    lawyer = await world.lawyer()
    for reader in (world.as_lawyer(lawyer), world.officer(lawyer["agency_id"]), world.admin):
        response = await world.client.get(f"{API}/typical-cases", headers=reader)
        assert response.status_code == 200, response.text
        items = await list_all(world.client, reader, f"{API}/typical-cases", limit=1)
        ours = [i for i in items if i["selection_id"] == selection["id"]]
        assert len(ours) == 1
        assert ours[0]["summary"] == SUMMARY
        assert ours[0]["outcome_type"] == "mediated"
        assert not {i["selection_id"] for i in items} & {later["id"]}
        text = response.text
        assert "王某某" not in text
        assert chosen["case_no"] not in text


@pytest.mark.parametrize("who", ["coordinator", "lawyer", "officer"])
async def test_only_the_supervisor_and_admin_run_selections(world, who):
    lawyer = await world.lawyer()
    headers = {
        "coordinator": world.coordinator,
        "lawyer": world.as_lawyer(lawyer),
        "officer": world.officer(lawyer["agency_id"]),
    }[who]
    today = today_shanghai().isoformat()
    body = {
        "title": "t",
        "year": today_shanghai().year,
        "nominations_from": today,
        "nominations_to": today,
    }
    assert (await world.client.post(SELECTIONS, json=body, headers=headers)).status_code == 403
    assert (await world.client.get(SELECTIONS, headers=headers)).status_code == 403


async def test_a_window_ending_before_it_starts_is_refused(world):
    body = {
        "title": "t",
        "year": 2026,
        "nominations_from": "2026-06-02",
        "nominations_to": "2026-06-01",
    }
    response = await world.client.post(SELECTIONS, json=body, headers=world.supervisor)
    assert field_errors(response) == {"nominations_to": "period_reversed"}
