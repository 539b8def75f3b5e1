"""Activities (SPEC 2.11): who records what, where a record starts, the officer's
confirmation or return, corrections with If-Match, withdrawal, visibility (SPEC 4.2), the
rules each kind needs, the event and the audit trail."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from app.clock import today_shanghai
from tests.api.activities.conftest import ACTIVITIES, CENTER_ID, World, activity_body
from tests.support.factories import API, audit_records, field_errors, list_all

# --- recording ------------------------------------------------------------------------------


async def test_a_lawyers_own_record_waits_for_their_agency(world: World):
    response = await world.record(world.as_lawyer(world.lawyer), kind="training", hours=3.5)
    assert response.status_code == 201, response.text
    activity = response.json()
    assert activity["status"] == "submitted"
    assert activity["agency_id"] == world.agency["id"]
    assert activity["lawyer_ids"] == [world.lawyer["id"]]
    assert activity["hours"] == 3.5
    assert activity["quantity"] == 1
    assert activity["campaign"] == "none"
    assert activity["decided_at"] is None
    assert response.headers["location"] == f"/api/v1/activities/{activity['id']}"
    assert response.headers["etag"] == f'"{activity["id"]}.1"'


async def test_an_officers_record_is_confirmed_at_once(world: World):
    response = await world.record(
        world.officer,
        lawyer_ids=[world.lawyer["id"], world.colleague["id"]],
        quantity=12,
        kind="phone_consultation",
    )
    assert response.status_code == 201, response.text
    activity = response.json()
    assert activity["status"] == "confirmed"
    assert activity["decided_by"] == activity["recorded_by"]
    assert activity["lawyer_ids"] == [world.lawyer["id"], world.colleague["id"]]
    assert activity["quantity"] == 12


async def test_the_center_records_its_own_with_lawyers_of_any_agency(world: World):
    response = await world.record(
        world.coordinator,
        kind="seminar",
        lawyer_ids=[world.lawyer["id"], world.other_lawyer["id"]],
    )
    assert response.status_code == 201, response.text
    activity = response.json()
    assert (activity["agency_id"], activity["status"]) == (CENTER_ID, "confirmed")


async def test_the_center_records_only_its_own(world: World):
    response = await world.record(world.coordinator, agency_id=world.agency["id"])
    assert response.status_code == 403, response.text


async def test_a_lawyer_records_only_their_own_work(world: World):
    response = await world.record(
        world.as_lawyer(world.lawyer), lawyer_ids=[world.lawyer["id"], world.colleague["id"]]
    )
    assert response.status_code == 403, response.text
    response = await world.record(world.as_lawyer(world.lawyer), lawyer_ids=[world.colleague["id"]])
    assert response.status_code == 403, response.text


async def test_an_agency_records_for_its_own_lawyers_only(world: World):
    response = await world.record(world.officer, lawyer_ids=[world.other_lawyer["id"]])
    assert field_errors(response) == {"lawyer_ids": "lawyer_not_of_agency"}
    response = await world.record(world.officer, agency_id=world.other_agency["id"])
    assert response.status_code == 403, response.text


async def test_the_supervisor_reads_but_does_not_record(world: World):
    assert (await world.record(world.supervisor)).status_code == 403


async def test_an_admin_names_the_agency_or_records_for_the_center(world: World):
    response = await world.record(world.admin, kind="seminar")
    assert response.status_code == 201, response.text
    assert response.json()["agency_id"] == CENTER_ID
    response = await world.record(world.admin, agency_id=world.other_agency["id"])
    assert field_errors(response) == {"lawyer_ids": "lawyer_not_of_agency"}
    response = await world.record(world.admin, agency_id=str(uuid.uuid4()))
    assert field_errors(response) == {"agency_id": "unknown_agency"}


# --- the rules of each kind -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "needed"),
    [
        ("training", "hours"),
        ("outreach", "venue_type"),
        ("research", "publication"),
        ("administrative_mediation", "role"),
    ],
)
async def test_each_kind_needs_its_fact(world: World, kind, needed):
    response = await world.record(world.officer, kind=kind)
    assert field_errors(response) == {needed: "required"}


async def test_the_fact_each_kind_needs_is_kept(world: World):
    cases: list[dict[str, Any]] = [
        {"kind": "training", "hours": 6},
        {"kind": "outreach", "venue_type": "village", "campaign": "three_visits"},
        {"kind": "research", "publication": "《聊城法学》2026年第3期"},
        {"kind": "administrative_mediation", "role": "presiding"},
    ]
    for facts in cases:
        response = await world.record(world.officer, **facts)
        assert response.status_code == 201, response.text
        shown = response.json()
        assert {name: shown[name] for name in facts} == facts


async def test_a_mediation_role_fits_only_a_mediation(world: World):
    response = await world.record(world.officer, kind="seminar", role="presiding")
    assert field_errors(response) == {"role": "not_for_kind"}


async def test_the_day_is_neither_in_the_future_nor_before_the_measures(world: World):
    tomorrow = (today_shanghai() + timedelta(days=1)).isoformat()
    assert field_errors(await world.record(world.officer, occurred_on=tomorrow)) == {
        "occurred_on": "in_future"
    }
    assert field_errors(await world.record(world.officer, occurred_on="2022-01-31")) == {
        "occurred_on": "out_of_range"
    }
    response = await world.record(world.officer, occurred_on="2022-02-01")
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("hours", 24.5), ("hours", -1), ("quantity", 0), ("quantity", 10_001), ("participants", -1)],
)
async def test_numbers_out_of_their_bounds_are_refused(world: World, field, value):
    response = await world.record(world.officer, **{"kind": "training", "hours": 2, field: value})
    assert field in {name.split(".")[-1] for name in field_errors(response)}


async def test_lawyers_are_listed_once_and_must_exist(world: World):
    twice = [world.lawyer["id"], world.lawyer["id"]]
    assert field_errors(await world.record(world.officer, lawyer_ids=twice)) == {
        "lawyer_ids": "duplicate_lawyer"
    }
    unknown = [str(uuid.uuid4())]
    assert field_errors(await world.record(world.officer, lawyer_ids=unknown)) == {
        "lawyer_ids": "unknown_lawyer"
    }
    response = await world.record(world.officer, lawyer_ids=[])
    assert response.status_code == 422


# --- confirmation, return, correction, withdrawal -------------------------------------------


async def test_the_officer_confirms_and_the_event_says_so(world: World, client):
    activity = await world.submitted()
    response = await world.act(world.officer, activity, "confirm")
    assert response.status_code == 200, response.text
    confirmed = response.json()
    assert confirmed["status"] == "confirmed"
    assert confirmed["decided_by"] == "officer-" + world.agency["id"][:6]
    assert confirmed["version"] == activity["version"] + 1
    events = await client.get(
        f"{API}/events", params={"types": "activity.confirmed", "limit": 200}, headers=world.admin
    )
    assert events.status_code == 200, events.text
    mine = [e for e in events.json()["items"] if e["subject"]["id"] == activity["id"]]
    assert len(mine) == 1
    assert mine[0]["subject"]["type"] == "activity"
    assert mine[0]["data"]["status"] == "confirmed"


async def test_a_returned_record_is_corrected_and_submitted_again(world: World, client):
    activity = await world.submitted(kind="training", hours=2)
    returned = await world.act(world.officer, activity, "return", note="培训时长请核实")
    assert returned.status_code == 200, returned.text
    assert (returned.json()["status"], returned.json()["status_note"]) == (
        "returned",
        "培训时长请核实",
    )
    url = f"{ACTIVITIES}/{activity['id']}"
    lawyer = world.as_lawyer(world.lawyer)
    read = await client.get(url, headers=lawyer)
    corrected = await client.patch(
        url, json={"hours": 3}, headers={**lawyer, "If-Match": read.headers["etag"]}
    )
    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert (body["status"], body["hours"], body["status_note"]) == ("submitted", 3, None)
    assert corrected.headers["etag"] == f'"{activity["id"]}.{body["version"]}"'
    assert (await world.act(world.officer, body, "confirm")).status_code == 200


async def test_a_correction_needs_the_current_etag(world: World, client):
    activity = await world.submitted()
    url = f"{ACTIVITIES}/{activity['id']}"
    lawyer = world.as_lawyer(world.lawyer)
    missing = await client.patch(url, json={"quantity": 2}, headers=lawyer)
    assert (missing.status_code, missing.json()["code"]) == (428, "if_match_required")
    first = await client.patch(
        url, json={"quantity": 2}, headers={**lawyer, "If-Match": f'"{activity["id"]}.1"'}
    )
    assert first.status_code == 200, first.text
    stale = await client.patch(
        url, json={"quantity": 3}, headers={**lawyer, "If-Match": f'"{activity["id"]}.1"'}
    )
    assert (stale.status_code, stale.json()["code"]) == (412, "etag_mismatch")
    assert (await client.get(url, headers=lawyer)).json()["quantity"] == 2


async def test_a_correction_is_checked_as_a_whole(world: World, client):
    activity = await world.submitted()
    url = f"{ACTIVITIES}/{activity['id']}"
    headers = {**world.as_lawyer(world.lawyer), "If-Match": "*"}
    response = await client.patch(url, json={"kind": "training"}, headers=headers)
    assert field_errors(response) == {"hours": "required"}
    response = await client.patch(url, json={"title": None}, headers=headers)
    assert field_errors(response) == {"title": "null_not_allowed"}
    response = await client.patch(
        url, json={"lawyer_ids": [world.colleague["id"]]}, headers=headers
    )
    assert response.status_code == 403, response.text
    unchanged = (await client.get(url, headers=headers)).json()
    assert (unchanged["kind"], unchanged["version"]) == ("law_lecture", 1)


async def test_an_officer_corrects_the_lawyers_named(world: World, client):
    activity = await world.submitted()
    response = await client.patch(
        f"{ACTIVITIES}/{activity['id']}",
        json={"lawyer_ids": [world.colleague["id"], world.lawyer["id"]]},
        headers={**world.officer, "If-Match": "*"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["lawyer_ids"] == [world.colleague["id"], world.lawyer["id"]]


async def test_a_confirmed_record_is_changed_only_by_a_new_one(world: World, client):
    activity = (await world.record(world.officer)).json()
    url = f"{ACTIVITIES}/{activity['id']}"
    headers = {**world.officer, "If-Match": "*"}
    for response in (
        await client.patch(url, json={"quantity": 2}, headers=headers),
        await client.delete(url, headers=world.officer),
        await world.act(world.officer, activity, "return", note="x"),
        await world.act(world.officer, activity, "confirm"),
    ):
        assert response.status_code == 409, response.text
        problem = response.json()
        assert (problem["code"], problem["current_status"], problem["allowed_actions"]) == (
            "invalid_transition",
            "confirmed",
            [],
        )


async def test_the_lawyer_withdraws_a_record_before_confirmation(world: World, client):
    activity = await world.submitted()
    url = f"{ACTIVITIES}/{activity['id']}"
    lawyer = world.as_lawyer(world.lawyer)
    response = await client.delete(url, headers=lawyer)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    again = await client.delete(url, headers=lawyer)
    assert again.status_code == 409
    assert (await world.act(world.officer, activity, "confirm")).status_code == 409


async def test_a_return_needs_a_note(world: World):
    activity = await world.submitted()
    assert (await world.act(world.officer, activity, "return")).status_code == 422


# --- who may see and decide (SPEC 4.2) ------------------------------------------------------


async def test_only_the_recording_agency_decides(world: World):
    activity = await world.submitted()
    assert (await world.act(world.other_officer, activity, "confirm")).status_code == 404
    assert (await world.act(world.as_lawyer(world.lawyer), activity, "confirm")).status_code == 403
    assert (await world.act(world.coordinator, activity, "confirm")).status_code == 403
    assert (await world.act(world.admin, activity, "confirm")).status_code == 200


async def test_an_agency_sees_the_centers_record_of_its_lawyer_but_does_not_change_it(
    world: World, client
):
    record = await world.record(world.coordinator, kind="seminar")
    activity = record.json()
    url = f"{ACTIVITIES}/{activity['id']}"
    assert (await client.get(url, headers=world.officer)).status_code == 200
    response = await client.patch(
        url, json={"quantity": 2}, headers={**world.officer, "If-Match": "*"}
    )
    assert response.status_code == 403, response.text
    assert (await client.get(url, headers=world.other_officer)).status_code == 404
    assert (await client.get(url, headers=world.as_lawyer(world.lawyer))).status_code == 200
    assert (await client.get(url, headers=world.as_lawyer(world.colleague))).status_code == 404


async def test_lists_show_each_reader_what_they_may_see(world: World, client):
    own = await world.submitted()
    colleagues = (await world.record(world.officer, lawyer_ids=[world.colleague["id"]])).json()
    elsewhere = (
        await world.record(world.other_officer, lawyer_ids=[world.other_lawyer["id"]])
    ).json()
    mine = {own["id"], colleagues["id"]}

    def ids(items: list[dict[str, Any]]) -> set[str]:
        return {item["id"] for item in items} & (mine | {elsewhere["id"]})

    assert ids(await list_all(client, world.officer, ACTIVITIES)) == mine
    assert ids(await list_all(client, world.other_officer, ACTIVITIES)) == {elsewhere["id"]}
    assert ids(await list_all(client, world.as_lawyer(world.lawyer), ACTIVITIES)) == {own["id"]}
    everything = mine | {elsewhere["id"]}
    for reader in (world.admin, world.supervisor, world.coordinator):
        assert ids(await list_all(client, reader, ACTIVITIES, limit=1)) == everything


async def test_list_filters(world: World, client):
    lecture = await world.submitted()
    training = (
        await world.record(world.officer, kind="training", hours=2, occurred_on="2025-06-01")
    ).json()
    admin = world.admin

    async def found(**params: object) -> set[str]:
        items = await list_all(client, admin, ACTIVITIES, agency_id=world.agency["id"], **params)
        return {item["id"] for item in items}

    assert await found() == {lecture["id"], training["id"]}
    assert await found(kind="training") == {training["id"]}
    assert await found(status="submitted") == {lecture["id"]}
    assert await found(lawyer_id=world.lawyer["id"]) == {lecture["id"], training["id"]}
    assert await found(lawyer_id=world.colleague["id"]) == set()
    assert await found(occurred_to="2025-12-31") == {training["id"]}
    assert await found(occurred_from="2026-01-01", occurred_to="2025-12-31") == set()


# --- the audit trail ------------------------------------------------------------------------


async def test_every_change_is_audited_without_what_the_record_says(world: World):
    activity = await world.submitted()
    await world.act(world.officer, activity, "return", note="请补充说明")
    records = await audit_records(world.client, world.admin, object_id=activity["id"])
    assert [r["action"] for r in reversed(records)] == ["activity.record", "activity.return"]
    assert all(activity["title"] not in str(r) for r in records)


async def test_an_unknown_activity_is_not_found(world: World, client):
    response = await client.get(f"{ACTIVITIES}/{uuid.uuid4()}", headers=world.admin)
    assert response.status_code == 404
    assert activity_body([])["kind"] == "law_lecture"
