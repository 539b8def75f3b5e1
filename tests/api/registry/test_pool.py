"""The annual mediator pool (SPEC 2.4): nominations, the quota, decisions, lists."""

import uuid
from typing import Any

import pytest

from app.states.codes import Role
from tests.support.clock import freeze_clock
from tests.support.factories import (
    API,
    create_agency,
    create_lawyer,
    current_year,
    decide,
    field_errors,
    list_all,
    nominate,
    nominated,
)

# --- nominate -------------------------------------------------------------------------------


async def test_an_officer_nominates_its_own_lawyer(client, admin, officer, agency):
    year = current_year()
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await nominate(client, officer, lawyer["id"], year)
    assert response.status_code == 201, response.text
    membership = response.json()
    assert membership["lawyer_id"] == lawyer["id"]
    assert membership["agency_id"] == agency["id"]
    assert membership["year"] == year
    assert membership["status"] == "nominated"
    assert membership["nominated_by"] == "officer-a"
    assert membership["decided_at"] is None
    assert "location" in response.headers


async def test_nominations_for_next_year_are_accepted(client, admin, officer, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await nominate(client, officer, lawyer["id"], current_year() + 1)
    assert response.status_code == 201, response.text


async def test_admin_nominates_any_agencys_lawyer(client, admin, other_agency):
    lawyer = await create_lawyer(client, admin, other_agency["id"])
    response = await nominate(client, admin, lawyer["id"], current_year())
    assert response.status_code == 201, response.text


async def test_another_agencys_lawyer_is_not_found_for_an_officer(
    client, admin, officer, other_agency
):
    lawyer = await create_lawyer(client, admin, other_agency["id"])
    response = await nominate(client, officer, lawyer["id"], current_year())
    assert response.status_code == 404, response.text
    assert await list_all(client, admin, f"{API}/pool/memberships", lawyer_id=lawyer["id"]) == []


async def test_an_unknown_lawyer_is_not_found(client, officer):
    response = await nominate(client, officer, uuid.uuid4(), current_year())
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CENTER_COORDINATOR, Role.LAWYER])
async def test_only_officers_and_admin_nominate(client, auth, admin, agency, role):
    lawyer = await create_lawyer(client, admin, agency["id"])
    headers = auth(role, lawyer_id=uuid.UUID(lawyer["id"]) if role is Role.LAWYER else None)
    response = await nominate(client, headers, lawyer["id"], current_year())
    assert response.status_code == 403, response.text


@pytest.mark.parametrize("offset", [-1, 2, 5])
async def test_only_the_current_and_next_year_are_open(client, admin, officer, agency, offset):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await nominate(client, officer, lawyer["id"], current_year() + offset)
    assert field_errors(response) == {"year": "year_out_of_range"}
    assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    ("now_utc", "open_years"),
    [
        ("2026-12-31T15:59:59+00:00", (2026, 2027)),  # 23:59:59 in Shanghai
        ("2026-12-31T16:00:00+00:00", (2027, 2028)),  # already New Year's Day there
    ],
)
async def test_the_nomination_year_turns_at_midnight_in_shanghai(
    client, admin, officer, agency, monkeypatch, now_utc, open_years
):
    freeze_clock(monkeypatch, now_utc)
    first, last = open_years
    lawyer = await create_lawyer(client, admin, agency["id"])
    for closed in (first - 1, last + 1):
        response = await nominate(client, officer, lawyer["id"], closed)
        assert field_errors(response) == {"year": "year_out_of_range"}
    for year in open_years:
        assert (await nominate(client, officer, lawyer["id"], year)).status_code == 201


async def test_a_year_before_the_measures_is_refused(client, admin, officer, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await nominate(client, officer, lawyer["id"], 2021)
    assert "year" in field_errors(response)


async def test_an_inactive_lawyer_cannot_be_nominated(client, admin, officer, agency):
    lawyer = await create_lawyer(client, admin, agency["id"], active=False)
    response = await nominate(client, officer, lawyer["id"], current_year())
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "lawyer_inactive"


# --- the quota ------------------------------------------------------------------------------


async def test_a_third_live_nomination_exceeds_the_quota(client, admin, officer, agency):
    year = current_year()
    lawyers = [await create_lawyer(client, admin, agency["id"]) for _ in range(3)]
    await nominated(client, officer, lawyers[0]["id"], year)
    await nominated(client, officer, lawyers[1]["id"], year)
    response = await nominate(client, officer, lawyers[2]["id"], year)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "pool_quota_exceeded"
    assert problem["limit"] == 2
    assert problem["count"] == 2
    live = await list_all(
        client, admin, f"{API}/pool/memberships", agency_id=agency["id"], year=year
    )
    assert len(live) == 2


async def test_approved_members_still_count_against_the_quota(
    client, admin, officer, coordinator, agency
):
    year = current_year()
    lawyers = [await create_lawyer(client, admin, agency["id"]) for _ in range(3)]
    for lawyer in lawyers[:2]:
        membership = await nominated(client, officer, lawyer["id"], year)
        assert (await decide(client, coordinator, membership["id"], "approve")).status_code == 200
    response = await nominate(client, admin, lawyers[2]["id"], year)
    assert response.status_code == 409
    assert response.json()["code"] == "pool_quota_exceeded"


@pytest.mark.parametrize(("action", "who"), [("withdraw", "officer"), ("reject", "coordinator")])
async def test_a_withdrawn_or_rejected_membership_frees_its_place(
    client, request, admin, officer, agency, action, who
):
    year = current_year()
    lawyers = [await create_lawyer(client, admin, agency["id"]) for _ in range(3)]
    first = await nominated(client, officer, lawyers[0]["id"], year)
    await nominated(client, officer, lawyers[1]["id"], year)
    assert (await nominate(client, officer, lawyers[2]["id"], year)).status_code == 409
    response = await decide(client, request.getfixturevalue(who), first["id"], action)
    assert response.status_code == 200, response.text
    assert (await nominate(client, officer, lawyers[2]["id"], year)).status_code == 201
    # And the place is taken again: a fourth is refused.
    fourth = await create_lawyer(client, admin, agency["id"])
    assert (await nominate(client, officer, fourth["id"], year)).status_code == 409


async def test_the_quota_is_per_year(client, admin, officer, agency):
    year = current_year()
    lawyers = [await create_lawyer(client, admin, agency["id"]) for _ in range(4)]
    for lawyer in lawyers[:2]:
        await nominated(client, officer, lawyer["id"], year)
    for lawyer in lawyers[2:]:
        await nominated(client, officer, lawyer["id"], year + 1)
    extra = await create_lawyer(client, admin, agency["id"])
    for y in (year, year + 1):
        response = await nominate(client, officer, extra["id"], y)
        assert response.status_code == 409
        assert response.json()["code"] == "pool_quota_exceeded"


async def test_the_quota_is_per_agency(client, admin, officer, other_officer, agency, other_agency):
    year = current_year()
    for _ in range(2):
        lawyer = await create_lawyer(client, admin, agency["id"])
        await nominated(client, officer, lawyer["id"], year)
    theirs = await create_lawyer(client, admin, other_agency["id"])
    assert (await nominate(client, other_officer, theirs["id"], year)).status_code == 201


# --- one membership per lawyer per year -----------------------------------------------------


async def test_a_lawyer_holds_one_live_membership_a_year(client, admin, officer, agency):
    year = current_year()
    lawyer = await create_lawyer(client, admin, agency["id"])
    await nominated(client, officer, lawyer["id"], year)
    again = await nominate(client, officer, lawyer["id"], year)
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "already_in_pool"
    # Next year is another year.
    assert (await nominate(client, officer, lawyer["id"], year + 1)).status_code == 201


async def test_an_approved_lawyer_is_already_in_the_pool(
    client, admin, officer, coordinator, agency
):
    year = current_year()
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], year)
    await decide(client, coordinator, membership["id"], "approve")
    response = await nominate(client, admin, lawyer["id"], year)
    assert response.status_code == 409
    assert response.json()["code"] == "already_in_pool"


async def test_a_withdrawn_lawyer_can_be_nominated_again(client, admin, officer, agency):
    year = current_year()
    lawyer = await create_lawyer(client, admin, agency["id"])
    first = await nominated(client, officer, lawyer["id"], year)
    await decide(client, officer, first["id"], "withdraw")
    second = await nominate(client, officer, lawyer["id"], year)
    assert second.status_code == 201, second.text
    history = await list_all(client, admin, f"{API}/pool/memberships", lawyer_id=lawyer["id"])
    assert sorted(m["status"] for m in history) == ["nominated", "withdrawn"]


# --- decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "admin"])
async def test_the_center_approves_and_rejects(client, request, admin, officer, agency, who):
    headers = request.getfixturevalue(who)
    year = current_year()
    one, two = [await create_lawyer(client, admin, agency["id"]) for _ in range(2)]
    m1 = await nominated(client, officer, one["id"], year)
    m2 = await nominated(client, officer, two["id"], year)

    approved = await decide(client, headers, m1["id"], "approve", reason="符合条件")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["status_reason"] == "符合条件"
    assert approved.json()["decided_at"] is not None
    assert approved.json()["decided_by"] == ("center-li" if who == "coordinator" else "test-admin")

    rejected = await decide(client, headers, m2["id"], "reject", reason="专业不符")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["status_reason"] == "专业不符"


async def test_a_decision_without_a_body_is_fine(client, admin, officer, coordinator, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    response = await client.post(
        f"{API}/pool/memberships/{membership['id']}/approve", headers=coordinator
    )
    assert response.status_code == 200, response.text
    assert response.json()["status_reason"] is None


@pytest.mark.parametrize("action", ["approve", "reject"])
async def test_officers_supervisors_and_lawyers_do_not_decide(
    client, auth, admin, officer, supervisor, agency, action
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    lawyer_headers = auth(Role.LAWYER, lawyer_id=uuid.UUID(lawyer["id"]))
    for headers in (officer, supervisor, lawyer_headers):
        response = await decide(client, headers, membership["id"], action)
        assert response.status_code == 403, response.text
    [unchanged] = await list_all(client, admin, f"{API}/pool/memberships", lawyer_id=lawyer["id"])
    assert unchanged["status"] == "nominated"


@pytest.mark.parametrize(
    ("first", "then", "current"),
    [
        ("approve", "approve", "approved"),
        ("approve", "reject", "approved"),
        ("reject", "approve", "rejected"),
        ("reject", "reject", "rejected"),
        ("withdraw", "approve", "withdrawn"),
        ("withdraw", "withdraw", "withdrawn"),
        ("reject", "withdraw", "rejected"),
    ],
)
async def test_invalid_transitions_are_conflicts(
    client, admin, officer, coordinator, agency, first, then, current
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    assert (await decide(client, coordinator, membership["id"], first)).status_code == 200
    response = await decide(client, coordinator, membership["id"], then)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "invalid_transition"
    assert problem["current_status"] == current


async def test_deciding_an_unknown_membership_is_not_found(client, coordinator):
    response = await decide(client, coordinator, uuid.uuid4(), "approve")
    assert response.status_code == 404


async def test_a_decision_reason_over_500_characters_is_refused(
    client, admin, officer, coordinator, agency
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    response = await decide(client, coordinator, membership["id"], "reject", reason="理" * 501)
    assert "reason" in field_errors(response)


# --- withdraw -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "coordinator", "admin"])
async def test_the_agency_and_the_center_withdraw(
    client, request, admin, officer, coordinator, agency, who
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    assert (await decide(client, coordinator, membership["id"], "approve")).status_code == 200
    response = await decide(
        client, request.getfixturevalue(who), membership["id"], "withdraw", reason="工作调动"
    )
    assert response.status_code == 200, response.text
    withdrawn = response.json()
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_at"] is not None
    assert withdrawn["withdrawn_by"]
    assert withdrawn["status_reason"] == "工作调动"
    # The approval is still on record.
    assert withdrawn["decided_by"] == "center-li"


async def test_another_agencys_officer_cannot_see_the_membership(
    client, admin, officer, other_officer, agency
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    response = await decide(client, other_officer, membership["id"], "withdraw")
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LAWYER])
async def test_supervisors_and_lawyers_do_not_withdraw(client, auth, admin, officer, agency, role):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    headers = auth(role, lawyer_id=uuid.UUID(lawyer["id"]) if role is Role.LAWYER else None)
    response = await decide(client, headers, membership["id"], "withdraw")
    assert response.status_code == 403, response.text


# --- lists ----------------------------------------------------------------------------------


async def test_membership_lists_are_scoped_and_filtered(
    client, auth, admin, officer, other_officer, coordinator, supervisor, agency, other_agency
):
    year = current_year()
    a1, a2 = [await create_lawyer(client, admin, agency["id"]) for _ in range(2)]
    b1 = await create_lawyer(client, admin, other_agency["id"])
    m_a1 = await nominated(client, officer, a1["id"], year)
    m_a1_next = await nominated(client, officer, a1["id"], year + 1)
    m_a2 = await nominated(client, officer, a2["id"], year)
    m_b1 = await nominated(client, other_officer, b1["id"], year)
    await decide(client, coordinator, m_a2["id"], "approve")

    def ids(items: list[dict[str, Any]]) -> list[str]:
        return sorted(i["id"] for i in items)

    everything = ids([m_a1, m_a1_next, m_a2, m_b1])
    for headers in (admin, coordinator, supervisor):
        assert set(everything) <= set(
            ids(await list_all(client, headers, f"{API}/pool/memberships"))
        )

    mine = await list_all(client, officer, f"{API}/pool/memberships")
    assert ids(mine) == ids([m_a1, m_a1_next, m_a2])
    other = await list_all(client, officer, f"{API}/pool/memberships", agency_id=other_agency["id"])
    assert other == []

    lawyer_a1 = auth(Role.LAWYER, lawyer_id=uuid.UUID(a1["id"]))
    assert ids(await list_all(client, lawyer_a1, f"{API}/pool/memberships")) == ids(
        [m_a1, m_a1_next]
    )
    assert await list_all(client, lawyer_a1, f"{API}/pool/memberships", lawyer_id=b1["id"]) == []

    this_year = await list_all(
        client, coordinator, f"{API}/pool/memberships", agency_id=agency["id"], year=year
    )
    assert ids(this_year) == ids([m_a1, m_a2])
    approved = await list_all(
        client, coordinator, f"{API}/pool/memberships", agency_id=agency["id"], status="approved"
    )
    assert ids(approved) == ids([m_a2])
    by_lawyer = await list_all(client, coordinator, f"{API}/pool/memberships", lawyer_id=b1["id"])
    assert ids(by_lawyer) == ids([m_b1])


async def test_membership_list_pages_cover_everything_once(client, admin, officer, agency):
    year = current_year()
    made = set()
    for y in (year, year + 1):
        for _ in range(2):
            lawyer = await create_lawyer(client, admin, agency["id"])
            made.add((await nominated(client, officer, lawyer["id"], y))["id"])
    listed = await list_all(client, officer, f"{API}/pool/memberships", limit=3)
    assert len(listed) == 4
    assert {m["id"] for m in listed} == made


async def test_a_coordinator_builds_a_pool_from_seeded_agencies(client, auth, admin, coordinator):
    """The issue's "done when": nominations from several seeded agencies, approved by the
    center, show up as the year's pool."""
    year = current_year()
    organs = [
        a
        for a in await list_all(client, admin, f"{API}/agencies", kind="administrative_organ")
        if a["level"] == "city"
    ][:3]
    pool = []
    for organ in organs:
        officer = auth(Role.AGENCY_OFFICER, agency_id=uuid.UUID(organ["id"]))
        lawyer = await create_lawyer(client, officer, organ["id"])
        membership = await nominated(client, officer, lawyer["id"], year)
        response = await decide(client, coordinator, membership["id"], "approve")
        assert response.status_code == 200
        pool.append(membership["id"])
    approved = await list_all(
        client, coordinator, f"{API}/pool/memberships", year=year, status="approved"
    )
    assert set(pool) <= {m["id"] for m in approved}


async def test_a_new_agency_starts_with_an_empty_pool(client, admin):
    created = await create_agency(client, admin)
    items = await list_all(client, admin, f"{API}/pool/memberships", agency_id=created["id"])
    assert items == []


async def test_a_decided_membership_is_refused_with_the_one_transition_shape(
    client, admin, officer, coordinator, agency
):
    # Every life cycle answers a refused move the same way (current state, what is allowed
    # from there, the state asked for), the pool's included.
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    assert (await decide(client, coordinator, membership["id"], "approve")).status_code == 200

    again = await decide(client, coordinator, membership["id"], "approve")
    assert again.status_code == 409, again.text
    body = again.json()
    assert body["code"] == "invalid_transition"
    assert (body["current_status"], body["allowed_actions"], body["target_status"]) == (
        "approved",
        ["withdraw"],
        "approved",
    )

    assert (await decide(client, officer, membership["id"], "withdraw")).status_code == 200
    rejected = await decide(client, coordinator, membership["id"], "reject")
    assert rejected.status_code == 409, rejected.text
    body = rejected.json()
    assert (body["current_status"], body["allowed_actions"], body["target_status"]) == (
        "withdrawn",
        [],
        "rejected",
    )
