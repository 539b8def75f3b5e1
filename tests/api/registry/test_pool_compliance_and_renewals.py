"""The pool compliance report and carrying the pool into a new year (SPEC 2.4)."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import PoolMembership
from app.states.codes import Role
from tests.support.factories import (
    API,
    audit_records,
    create_agency,
    create_lawyer,
    current_year,
    decide,
    field_errors,
    list_all,
    nominated,
    seeded_agencies,
)


async def add_membership(
    session: AsyncSession, lawyer: dict[str, Any], year: int, status: str = "approved"
) -> PoolMembership:
    """A membership written straight to the database (years closed to nominations)."""
    membership = PoolMembership(
        lawyer_id=uuid.UUID(lawyer["id"]),
        agency_id=uuid.UUID(lawyer["agency_id"]),
        year=year,
        status=status,
        nominated_by="history",
    )
    session.add(membership)
    await session.flush()
    return membership


async def compliance(
    client: httpx.AsyncClient, headers: dict[str, str], year: int
) -> dict[str, Any]:
    response = await client.get(f"{API}/pool/compliance", params={"year": year}, headers=headers)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def row_of(report: dict[str, Any], agency_id: str) -> dict[str, Any]:
    """The report's row of one agency (there must be exactly one)."""
    rows: list[dict[str, Any]] = [r for r in report["items"] if r["agency_id"] == agency_id]
    assert len(rows) == 1, rows
    return rows[0]


# --- compliance -----------------------------------------------------------------------------


async def test_every_organ_with_public_lawyers_is_reported(client, admin, coordinator):
    year = current_year()
    seeded = seeded_agencies()
    organs = [a for a in seeded if a["kind"] == "administrative_organ"][:2]
    bureau = next(a for a in seeded if a["kind"] == "judicial_bureau")
    center = next(a for a in seeded if a["kind"] == "reconciliation_center")
    by_name = {a["name"]: a["id"] for a in await list_all(client, admin, f"{API}/agencies")}
    with_lawyers = [*organs, bureau, center]
    for agency in with_lawyers:
        await create_lawyer(client, admin, by_name[agency["name"]])
    report = await compliance(client, coordinator, year)
    assert report["year"] == year
    assert report["pool_min_per_agency"] == 1
    assert report["pool_max_per_agency"] == 2
    assert report["pending_nominations_count"] is False
    # Administrative organs and the judicial bureau (an organ too) that have public lawyers;
    # not the center, nor the organs that have none.
    expected = sorted(a["name"] for a in [*organs, bureau])
    assert sorted(row["agency_name"] for row in report["items"]) == expected
    for row in report["items"]:
        assert (row["approved"], row["nominated"], row["quota_used"], row["status"]) == (
            0,
            0,
            0,
            "below",
        )


async def test_counts_and_flags_follow_the_memberships(
    client, admin, officer, coordinator, agency, other_agency, session
):
    year = current_year()
    one, two = [await create_lawyer(client, admin, agency["id"]) for _ in range(2)]
    m1 = await nominated(client, officer, one["id"], year)

    row = row_of(await compliance(client, coordinator, year), agency["id"])
    # A nomination alone does not meet the minimum: the pool is its approved members; the
    # quota counts it.
    assert (row["approved"], row["nominated"], row["status"]) == (0, 1, "below")
    assert row["quota_used"] == 1

    await decide(client, coordinator, m1["id"], "approve")
    await nominated(client, officer, two["id"], year)
    row = row_of(await compliance(client, coordinator, year), agency["id"])
    assert (row["approved"], row["nominated"], row["status"]) == (1, 1, "within")
    assert row["quota_used"] == 2
    assert row["agency_name"] == agency["name"]
    assert row["region_code"] == agency["region_code"]
    assert row["business_system"] == agency["business_system"]

    # More approved members than the policy allows (e.g. data from before the quota was
    # enforced) is reported as over.
    for _ in range(3):
        lawyer = await create_lawyer(client, admin, other_agency["id"])
        await add_membership(session, lawyer, year)
    row = row_of(await compliance(client, coordinator, year), other_agency["id"])
    assert (row["approved"], row["status"]) == (3, "over")


async def test_withdrawn_and_rejected_memberships_are_not_counted(
    client, admin, officer, coordinator, agency
):
    year = current_year()
    one, two = [await create_lawyer(client, admin, agency["id"]) for _ in range(2)]
    m1 = await nominated(client, officer, one["id"], year)
    m2 = await nominated(client, officer, two["id"], year)
    await decide(client, coordinator, m1["id"], "approve")
    await decide(client, coordinator, m1["id"], "withdraw")
    await decide(client, coordinator, m2["id"], "reject")
    row = row_of(await compliance(client, coordinator, year), agency["id"])
    assert (row["approved"], row["nominated"], row["status"]) == (0, 0, "below")


async def test_a_membership_counts_only_in_its_own_year(
    client, admin, officer, coordinator, agency
):
    year = current_year()
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], year + 1)
    await decide(client, coordinator, membership["id"], "approve")

    assert row_of(await compliance(client, coordinator, year), agency["id"])["approved"] == 0
    assert row_of(await compliance(client, coordinator, year + 1), agency["id"])["approved"] == 1


async def test_only_active_organs_with_active_lawyers_are_listed(client, admin, coordinator):
    year = current_year()
    organ = await create_agency(client, admin, kind="administrative_organ")
    bureau = await create_agency(client, admin, kind="judicial_bureau", business_system="justice")
    union = await create_agency(client, admin, kind="peoples_organization")
    closed = await create_agency(client, admin, kind="administrative_organ")
    empty = await create_agency(client, admin, kind="administrative_organ")
    left = await create_agency(client, admin, kind="administrative_organ")
    for agency in (organ, bureau, union, closed):
        await create_lawyer(client, admin, agency["id"])
    gone = await create_lawyer(client, admin, left["id"])
    deactivated = await client.patch(
        f"{API}/lawyers/{gone['id']}", json={"active": False}, headers=admin
    )
    assert deactivated.status_code == 200, deactivated.text
    await client.patch(f"{API}/agencies/{closed['id']}", json={"active": False}, headers=admin)
    listed = {r["agency_id"] for r in (await compliance(client, coordinator, year))["items"]}
    assert organ["id"] in listed
    assert bureau["id"] in listed
    assert union["id"] not in listed
    assert closed["id"] not in listed
    assert empty["id"] not in listed
    assert left["id"] not in listed


@pytest.mark.parametrize("who", ["admin", "supervisor", "coordinator"])
async def test_the_center_bureau_and_admin_read_the_whole_report(
    client, request, admin, agency, other_agency, who
):
    for each in (agency, other_agency):
        await create_lawyer(client, admin, each["id"])
    report = await compliance(client, request.getfixturevalue(who), current_year())
    assert {r["agency_id"] for r in report["items"]} == {agency["id"], other_agency["id"]}


async def test_an_officer_sees_its_own_agencys_row(client, admin, officer, agency, other_agency):
    for each in (agency, other_agency):
        await create_lawyer(client, admin, each["id"])
    report = await compliance(client, officer, current_year())
    assert [r["agency_id"] for r in report["items"]] == [agency["id"]]


async def test_a_lawyer_does_not_read_the_report(client, auth):
    response = await client.get(
        f"{API}/pool/compliance", params={"year": current_year()}, headers=auth(Role.LAWYER)
    )
    assert response.status_code == 403


async def test_the_report_needs_a_year(client, coordinator):
    response = await client.get(f"{API}/pool/compliance", headers=coordinator)
    assert "query.year" in field_errors(response)


# --- renewals -------------------------------------------------------------------------------


async def renew(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post(f"{API}/pool/memberships/renewals", json=body, headers=headers)


async def test_last_years_approved_members_are_nominated_again(
    client, admin, officer, agency, session
):
    year = current_year()
    one, two = [await create_lawyer(client, admin, agency["id"]) for _ in range(2)]
    for lawyer in (one, two):
        await add_membership(session, lawyer, year - 1)
    response = await renew(client, officer, from_year=year - 1, to_year=year)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["from_year"], report["to_year"]) == (year - 1, year)
    assert report["skipped"] == []
    assert sorted(m["lawyer_id"] for m in report["nominated"]) == sorted([one["id"], two["id"]])
    for m in report["nominated"]:
        assert (m["year"], m["status"], m["agency_id"]) == (year, "nominated", agency["id"])
    live = await list_all(client, officer, f"{API}/pool/memberships", year=year, status="nominated")
    assert sorted(m["id"] for m in live) == sorted(m["id"] for m in report["nominated"])
    # Every renewal nomination is audited like a single nomination.
    for m in report["nominated"]:
        assert (
            len(await audit_records(client, admin, action="pool.nominate", object_id=m["id"])) == 1
        )


async def test_only_approved_members_are_renewed(client, admin, officer, agency, session):
    year = current_year()
    lawyers = [await create_lawyer(client, admin, agency["id"]) for _ in range(3)]
    for lawyer, status in zip(lawyers, ("nominated", "withdrawn", "rejected"), strict=True):
        await add_membership(session, lawyer, year - 1, status=status)
    response = await renew(client, officer, from_year=year - 1, to_year=year)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "from_year": year - 1,
        "to_year": year,
        "nominated": [],
        "skipped": [],
    }


async def test_renewal_skips_with_reasons(client, admin, supervisor, officer, agency, session):
    """Certificate no longer active, already in this year's pool, and over the quota."""
    year = current_year()
    suspended, already, fits, overflow = [
        await create_lawyer(client, admin, agency["id"]) for _ in range(4)
    ]
    for lawyer in (suspended, already, fits, overflow):
        await add_membership(session, lawyer, year - 1)
    put = await client.put(
        f"{API}/lawyers/{suspended['id']}/certificate-status",
        json={"status": "suspended", "reason": "暂停执业"},
        headers=supervisor,
    )
    assert put.status_code == 200
    existing = await nominated(client, officer, already["id"], year)

    response = await renew(client, officer, from_year=year - 1, to_year=year)
    assert response.status_code == 200, response.text
    report = response.json()
    skipped = {s["lawyer_id"]: s["reason"] for s in report["skipped"]}
    assert skipped == {
        suspended["id"]: "certificate_inactive",
        already["id"]: "already_in_pool",
        overflow["id"]: "pool_quota_exceeded",
    }
    assert all(s["agency_id"] == agency["id"] for s in report["skipped"])
    assert [m["lawyer_id"] for m in report["nominated"]] == [fits["id"]]
    live = await list_all(
        client, admin, f"{API}/pool/memberships", agency_id=agency["id"], year=year
    )
    assert sorted(m["id"] for m in live) == sorted([existing["id"], report["nominated"][0]["id"]])
    # Last year's pool is untouched.
    last = await list_all(
        client, admin, f"{API}/pool/memberships", agency_id=agency["id"], year=year - 1
    )
    assert {m["status"] for m in last} == {"approved"}
    assert len(last) == 4


async def test_renewal_respects_the_quota_per_agency(client, admin, agency, other_agency, session):
    year = current_year()
    ours = [await create_lawyer(client, admin, agency["id"]) for _ in range(3)]
    theirs = [await create_lawyer(client, admin, other_agency["id"]) for _ in range(2)]
    for lawyer in ours + theirs:
        await add_membership(session, lawyer, year - 1)
    response = await renew(client, admin, from_year=year - 1, to_year=year)
    assert response.status_code == 200, response.text
    report = response.json()
    per_agency: dict[str, int] = {}
    for m in report["nominated"]:
        per_agency[m["agency_id"]] = per_agency.get(m["agency_id"], 0) + 1
    assert per_agency == {agency["id"]: 2, other_agency["id"]: 2}
    assert [s["reason"] for s in report["skipped"]] == ["pool_quota_exceeded"]
    assert report["skipped"][0]["lawyer_id"] in {lawyer["id"] for lawyer in ours}


async def test_an_admin_renews_one_agency_when_asked(client, admin, agency, other_agency, session):
    year = current_year()
    ours = await create_lawyer(client, admin, agency["id"])
    theirs = await create_lawyer(client, admin, other_agency["id"])
    for lawyer in (ours, theirs):
        await add_membership(session, lawyer, year - 1)
    response = await renew(client, admin, from_year=year - 1, to_year=year, agency_id=agency["id"])
    assert response.status_code == 200, response.text
    assert [m["lawyer_id"] for m in response.json()["nominated"]] == [ours["id"]]


async def test_an_officer_renews_only_its_own_agency(
    client, admin, officer, agency, other_agency, session
):
    year = current_year()
    ours = await create_lawyer(client, admin, agency["id"])
    theirs = await create_lawyer(client, admin, other_agency["id"])
    for lawyer in (ours, theirs):
        await add_membership(session, lawyer, year - 1)
    refused = await renew(
        client, officer, from_year=year - 1, to_year=year, agency_id=other_agency["id"]
    )
    assert refused.status_code == 403, refused.text
    response = await renew(client, officer, from_year=year - 1, to_year=year)
    assert [m["lawyer_id"] for m in response.json()["nominated"]] == [ours["id"]]
    assert (
        await list_all(client, admin, f"{API}/pool/memberships", lawyer_id=theirs["id"], year=year)
        == []
    )


async def test_this_years_pool_carries_into_next_year(client, admin, officer, coordinator, agency):
    year = current_year()
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], year)
    await decide(client, coordinator, membership["id"], "approve")
    response = await renew(client, officer, from_year=year, to_year=year + 1)
    assert response.status_code == 200, response.text
    [renewed] = response.json()["nominated"]
    assert (renewed["lawyer_id"], renewed["year"]) == (lawyer["id"], year + 1)


@pytest.mark.parametrize(("from_offset", "to_offset"), [(-2, -1), (0, 2), (-3, 3)])
async def test_renewal_into_a_closed_year_is_refused(client, officer, from_offset, to_offset):
    year = current_year()
    response = await renew(client, officer, from_year=year + from_offset, to_year=year + to_offset)
    assert field_errors(response) == {"to_year": "year_out_of_range"}


async def test_renewal_goes_forward_in_time(client, officer):
    year = current_year()
    response = await renew(client, officer, from_year=year + 1, to_year=year)
    assert field_errors(response) == {"to_year": "year_order"}


@pytest.mark.parametrize("role", [Role.CENTER_COORDINATOR, Role.SUPERVISOR, Role.LAWYER])
async def test_only_nominators_renew(client, auth, role):
    year = current_year()
    response = await renew(client, auth(role), from_year=year - 1, to_year=year)
    assert response.status_code == 403
