"""Certificate status (SPEC 2.3, 2.4) and leave periods through the HTTP API."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from app.db.models import Lawyer, PoolMembership
from app.states.codes import Role
from tests.support.factories import (
    API,
    audit_records,
    create_lawyer,
    current_year,
    decide,
    field_errors,
    list_all,
    nominate,
    nominated,
)

SUSPEND = {"status": "suspended", "reason": "年度考核不合格，暂停执业"}


def status_url(lawyer: dict[str, Any]) -> str:
    return f"{API}/lawyers/{lawyer['id']}/certificate-status"


# --- who sets the certificate status --------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "admin"])
async def test_the_bureau_and_admin_set_the_certificate_status(client, request, admin, agency, who):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await client.put(
        status_url(lawyer), json=SUSPEND, headers=request.getfixturevalue(who)
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["certificate_status"] == "suspended"
    assert changed["certificate_status_reason"] == SUSPEND["reason"]
    assert changed["certificate_status_changed_at"] is not None
    fetched = await client.get(f"{API}/lawyers/{lawyer['id']}", headers=admin)
    assert fetched.json()["certificate_status"] == "suspended"


async def test_nobody_else_sets_the_certificate_status(
    client, admin, coordinator, officer, as_lawyer, agency
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    for headers in (coordinator, officer, as_lawyer(lawyer)):
        response = await client.put(status_url(lawyer), json=SUSPEND, headers=headers)
        assert response.status_code == 403, response.text
    fetched = await client.get(f"{API}/lawyers/{lawyer['id']}", headers=admin)
    assert fetched.json()["certificate_status"] == "active"


async def test_setting_the_status_of_an_unknown_lawyer_is_not_found(client, supervisor):
    response = await client.put(
        f"{API}/lawyers/{uuid.uuid4()}/certificate-status", json=SUSPEND, headers=supervisor
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "expired", "reason": "原因说明"}, "status"),
        ({"status": "revoked"}, "reason"),
        ({"status": "revoked", "reason": "x"}, "reason"),
    ],
)
async def test_the_status_body_is_validated(client, admin, supervisor, agency, body, field):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await client.put(status_url(lawyer), json=body, headers=supervisor)
    assert field in field_errors(response)


async def test_a_reinstated_certificate_can_be_nominated_again(
    client, admin, supervisor, officer, agency
):
    year = current_year()
    lawyer = await create_lawyer(client, admin, agency["id"])
    await client.put(status_url(lawyer), json=SUSPEND, headers=supervisor)
    refused = await nominate(client, officer, lawyer["id"], year)
    assert refused.status_code == 409
    reinstated = await client.put(
        status_url(lawyer),
        json={"status": "active", "reason": "整改完毕，恢复执业"},
        headers=supervisor,
    )
    assert reinstated.status_code == 200
    assert reinstated.json()["certificate_status"] == "active"
    assert (await nominate(client, officer, lawyer["id"], year)).status_code == 201


# --- what a suspension does to the pool -----------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "revoked"])
async def test_a_lost_certificate_withdraws_this_and_next_years_memberships(
    client, admin, supervisor, coordinator, officer, agency, session, status
):
    year = current_year()
    lawyer = await create_lawyer(client, admin, agency["id"])
    approved = await nominated(client, officer, lawyer["id"], year)
    assert (await decide(client, coordinator, approved["id"], "approve")).status_code == 200
    pending = await nominated(client, officer, lawyer["id"], year + 1)
    # Last year's pool is history and is left alone.
    past = PoolMembership(
        lawyer_id=uuid.UUID(lawyer["id"]),
        agency_id=uuid.UUID(agency["id"]),
        year=year - 1,
        status="approved",
        nominated_by="officer-a",
    )
    session.add(past)
    await session.flush()

    reason = "吊销公职律师证书" if status == "revoked" else SUSPEND["reason"]
    response = await client.put(
        status_url(lawyer), json={"status": status, "reason": reason}, headers=supervisor
    )
    assert response.status_code == 200, response.text

    memberships = {
        m["year"]: m
        for m in await list_all(client, admin, f"{API}/pool/memberships", lawyer_id=lawyer["id"])
    }
    for m in (memberships[year], memberships[year + 1]):
        assert m["status"] == "withdrawn"
        assert m["withdrawn_by"] == "bureau-wang"
        assert m["withdrawn_at"] is not None
        assert status in m["status_reason"]
        assert reason in m["status_reason"]
    assert memberships[year - 1]["status"] == "approved"

    # The suspension and each withdrawal are audited.
    records = await audit_records(
        client, admin, action="lawyer.certificate_status", object_id=lawyer["id"]
    )
    assert len(records) == 1
    changes = records[0]["changes"]
    assert changes["from"] == "active"
    assert changes["to"] == status
    assert changes["reason"] == reason
    assert sorted(changes["withdrawn_memberships"]) == sorted([approved["id"], pending["id"]])
    assert records[0]["actor_role"] == "supervisor"
    # Withdrawn by a suspension or by hand, a withdrawal is found under the same action.
    for membership_id in (approved["id"], pending["id"]):
        withdrawals = await audit_records(
            client, admin, action="pool.withdrawn", object_id=membership_id
        )
        assert len(withdrawals) == 1
        assert reason in withdrawals[0]["changes"]["reason"]
        assert withdrawals[0]["actor_sub"] == "bureau-wang"


async def test_a_suspension_frees_the_agencys_pool_places(
    client, admin, supervisor, officer, agency
):
    year = current_year()
    first, second, third = [await create_lawyer(client, admin, agency["id"]) for _ in range(3)]
    await nominated(client, officer, first["id"], year)
    await nominated(client, officer, second["id"], year)
    assert (await nominate(client, officer, third["id"], year)).status_code == 409
    await client.put(status_url(first), json=SUSPEND, headers=supervisor)
    assert (await nominate(client, officer, third["id"], year)).status_code == 201


@pytest.mark.parametrize("status", ["suspended", "revoked"])
async def test_a_lawyer_without_an_active_certificate_cannot_be_nominated(
    client, admin, supervisor, officer, agency, status
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    await client.put(
        status_url(lawyer), json={"status": status, "reason": "原因说明"}, headers=supervisor
    )
    response = await nominate(client, officer, lawyer["id"], current_year())
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "certificate_inactive"
    assert await list_all(client, admin, f"{API}/pool/memberships", lawyer_id=lawyer["id"]) == []


async def test_a_lawyer_without_an_active_certificate_cannot_be_approved(
    client, admin, coordinator, officer, agency, session
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    # Suspending through the API would withdraw the nomination; a certificate that went
    # inactive some other way must still stop the approval.
    await session.execute(
        update(Lawyer)
        .where(Lawyer.id == uuid.UUID(lawyer["id"]))
        .values(certificate_status="suspended")
    )
    await session.flush()
    response = await decide(client, coordinator, membership["id"], "approve")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "certificate_inactive"
    status = (
        await session.execute(
            select(PoolMembership.status).where(PoolMembership.id == uuid.UUID(membership["id"]))
        )
    ).scalar_one()
    assert status == "nominated"


async def test_a_long_suspension_reason_still_withdraws_memberships(
    client, admin, supervisor, officer, agency
):
    """The reason may be 500 characters (the API allows it); the withdrawn membership records
    why it was withdrawn, and that must not break the suspension."""
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    reason = "经查，该律师" + "未按规定参加年度考核" * 49
    assert len(reason) <= 500
    response = await client.put(
        status_url(lawyer), json={"status": "suspended", "reason": reason}, headers=supervisor
    )
    assert response.status_code == 200, response.text
    [withdrawn] = await list_all(client, admin, f"{API}/pool/memberships", lawyer_id=lawyer["id"])
    assert withdrawn["id"] == membership["id"]
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["status_reason"].startswith("certificate suspended: 经查，该律师")


# --- leave ----------------------------------------------------------------------------------


def leave(start: date, days: int = 3, reason: str = "年休假") -> dict[str, str]:
    return {
        "from_date": start.isoformat(),
        "to_date": (start + timedelta(days=days)).isoformat(),
        "reason": reason,
    }


@pytest.mark.parametrize("who", ["self", "officer", "coordinator", "admin"])
async def test_leave_is_recorded_by_the_lawyer_their_agency_and_the_center(
    client, request, admin, agency, as_lawyer, who
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    headers = as_lawyer(lawyer) if who == "self" else request.getfixturevalue(who)
    body = leave(date(2026, 12, 1))
    response = await client.post(
        f"{API}/lawyers/{lawyer['id']}/unavailability", json=body, headers=headers
    )
    assert response.status_code == 201, response.text
    period = response.json()
    assert period["lawyer_id"] == lawyer["id"]
    assert (period["from_date"], period["to_date"], period["reason"]) == (
        body["from_date"],
        body["to_date"],
        body["reason"],
    )
    assert period["created_by"]
    assert response.headers["location"] == f"/api/v1/lawyers/{lawyer['id']}/unavailability"


async def test_the_supervisor_reads_but_does_not_record_leave(client, admin, supervisor, agency):
    """can_record_leave: the lawyer, their agency, the center and admin; the bureau reads."""
    lawyer = await create_lawyer(client, admin, agency["id"])
    url = f"{API}/lawyers/{lawyer['id']}/unavailability"
    response = await client.post(url, json=leave(date(2026, 12, 1)), headers=supervisor)
    assert response.status_code == 403, response.text
    assert (await client.get(url, headers=supervisor)).status_code == 200


async def test_leave_of_a_lawyer_one_may_not_see_is_not_found(
    client, admin, other_officer, as_lawyer, agency
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    colleague = await create_lawyer(client, admin, agency["id"])
    url = f"{API}/lawyers/{lawyer['id']}/unavailability"
    for headers in (other_officer, as_lawyer(colleague)):
        assert (
            await client.post(url, json=leave(date(2026, 12, 1)), headers=headers)
        ).status_code == 404
        assert (await client.get(url, headers=headers)).status_code == 404
    assert (await client.get(url, headers=admin)).json()["items"] == []


async def test_a_period_ending_before_it_starts_is_refused(client, admin, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await client.post(
        f"{API}/lawyers/{lawyer['id']}/unavailability",
        json={"from_date": "2026-12-10", "to_date": "2026-12-09", "reason": "病假"},
        headers=admin,
    )
    assert field_errors(response) == {"to_date": "period_reversed"}


async def test_a_one_day_period_is_fine(client, admin, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await client.post(
        f"{API}/lawyers/{lawyer['id']}/unavailability",
        json={"from_date": "2026-12-10", "to_date": "2026-12-10", "reason": "病假"},
        headers=admin,
    )
    assert response.status_code == 201, response.text


async def test_a_period_over_a_year_is_refused(client, admin, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await client.post(
        f"{API}/lawyers/{lawyer['id']}/unavailability",
        json=leave(date(2026, 1, 1), days=400),
        headers=admin,
    )
    assert field_errors(response) == {"to_date": "period_too_long"}


async def test_leave_periods_are_listed_in_date_order(client, admin, officer, as_lawyer, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    url = f"{API}/lawyers/{lawyer['id']}/unavailability"
    for start in (date(2027, 3, 1), date(2026, 12, 20), date(2027, 1, 5)):
        assert (await client.post(url, json=leave(start), headers=officer)).status_code == 201
    for headers in (admin, officer, as_lawyer(lawyer)):
        response = await client.get(url, headers=headers)
        assert response.status_code == 200
        assert [p["from_date"] for p in response.json()["items"]] == [
            "2026-12-20",
            "2027-01-05",
            "2027-03-01",
        ]
    other = await create_lawyer(client, admin, agency["id"])
    assert (await client.get(f"{API}/lawyers/{other['id']}/unavailability", headers=admin)).json()[
        "items"
    ] == []


async def test_recording_leave_is_audited(client, admin, agency, as_lawyer):
    lawyer = await create_lawyer(client, admin, agency["id"])
    await client.post(
        f"{API}/lawyers/{lawyer['id']}/unavailability",
        json=leave(date(2026, 12, 1)),
        headers=as_lawyer(lawyer),
    )
    [record] = await audit_records(
        client, admin, action="lawyer.unavailability.add", object_id=lawyer["id"]
    )
    assert record["actor_role"] == Role.LAWYER.value
    assert record["changes"]["from_date"] == "2026-12-01"


async def test_leave_periods_come_in_pages_that_follow_the_cursor(client, admin, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    url = f"{API}/lawyers/{lawyer['id']}/unavailability"
    starts = [date(2026, 12, 1) + timedelta(days=10 * n) for n in range(5)]
    for start in reversed(starts):
        assert (await client.post(url, json=leave(start), headers=admin)).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(url, params=params, headers=admin)).json()
        assert len(page["items"]) <= 2
        seen += [p["from_date"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [s.isoformat() for s in starts]
    assert (await client.get(url, params={"limit": 201}, headers=admin)).status_code == 422
    forged = await client.get(url, params={"cursor": "eyJmcm9tIjoxfQ"}, headers=admin)
    assert forged.status_code == 422
