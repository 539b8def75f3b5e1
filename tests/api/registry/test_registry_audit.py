"""Every registry and pool write appends an audit record naming the actor and the request
(SPEC 4.4)."""

import uuid
from typing import Any

import httpx
import pytest

from app.states.codes import Role
from tests.support.factories import (
    API,
    agency_body,
    audit_records,
    create_lawyer,
    current_year,
    nominated,
)
from tests.support.factories import decide as decide_membership


def request_id() -> str:
    return f"reg-{uuid.uuid4().hex[:16]}"


async def the_record(
    client: httpx.AsyncClient, admin: dict[str, str], action: str, object_id: str
) -> dict[str, Any]:
    records = await audit_records(client, admin, action=action, object_id=object_id)
    assert len(records) == 1, records
    return records[0]


async def test_agency_create_is_audited_with_actor_and_request(client, admin):
    rid = request_id()
    body = agency_body()
    response = await client.post(
        f"{API}/agencies", json=body, headers={**admin, "X-Request-ID": rid}
    )
    assert response.status_code == 201
    assert response.headers["x-request-id"] == rid
    record = await the_record(client, admin, "agency.create", response.json()["id"])
    assert record["actor_sub"] == "test-admin"
    assert record["actor_role"] == "admin"
    assert record["request_id"] == rid
    assert record["object_type"] == "agency"
    assert record["outcome"] == "success"
    assert record["client_address"] == "203.0.113.7"
    assert record["changes"]["name"] == body["name"]


async def test_agency_update_is_audited_with_only_the_change(client, admin):
    created = (await client.post(f"{API}/agencies", json=agency_body(), headers=admin)).json()
    rid = request_id()
    await client.patch(
        f"{API}/agencies/{created['id']}",
        json={"short_name": "新"},
        headers={**admin, "X-Request-ID": rid},
    )
    record = await the_record(client, admin, "agency.update", created["id"])
    assert record["changes"] == {"short_name": "新"}
    assert record["request_id"] == rid


async def test_certificate_status_is_audited(client, admin, supervisor, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    rid = request_id()
    response = await client.put(
        f"{API}/lawyers/{lawyer['id']}/certificate-status",
        json={"status": "revoked", "reason": "吊销证书"},
        headers={**supervisor, "X-Request-ID": rid},
    )
    assert response.status_code == 200
    record = await the_record(client, admin, "lawyer.certificate_status", lawyer["id"])
    assert (record["actor_sub"], record["actor_role"]) == ("bureau-wang", "supervisor")
    assert record["request_id"] == rid
    assert record["changes"]["from"] == "active"
    assert record["changes"]["to"] == "revoked"
    assert record["changes"]["reason"] == "吊销证书"


async def test_nomination_and_decisions_are_audited(client, admin, officer, coordinator, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    rid_nominate = request_id()
    response = await client.post(
        f"{API}/pool/memberships",
        json={"lawyer_id": lawyer["id"], "year": current_year()},
        headers={**officer, "X-Request-ID": rid_nominate},
    )
    assert response.status_code == 201
    membership = response.json()
    record = await the_record(client, admin, "pool.nominate", membership["id"])
    assert (record["actor_sub"], record["actor_role"]) == ("officer-a", "agency_officer")
    assert record["actor_agency_id"] == agency["id"]
    assert record["request_id"] == rid_nominate
    assert record["object_type"] == "pool_membership"
    assert record["changes"] == {"lawyer_id": lawyer["id"], "year": current_year()}

    rid_approve = request_id()
    response = await client.post(
        f"{API}/pool/memberships/{membership['id']}/approve",
        json={"reason": "符合条件"},
        headers={**coordinator, "X-Request-ID": rid_approve},
    )
    assert response.status_code == 200
    record = await the_record(client, admin, "pool.approved", membership["id"])
    assert (record["actor_sub"], record["actor_role"]) == ("center-li", "center_coordinator")
    assert record["request_id"] == rid_approve
    assert record["changes"] == {"from": "nominated", "to": "approved", "reason": "符合条件"}

    await decide_membership(client, officer, membership["id"], "withdraw", reason="调动")
    record = await the_record(client, admin, "pool.withdrawn", membership["id"])
    assert record["actor_role"] == "agency_officer"
    assert record["changes"]["from"] == "approved"


async def test_a_rejection_is_audited(client, admin, officer, coordinator, agency):
    lawyer = await create_lawyer(client, admin, agency["id"])
    membership = await nominated(client, officer, lawyer["id"], current_year())
    await decide_membership(client, coordinator, membership["id"], "reject", reason="不符")
    record = await the_record(client, admin, "pool.rejected", membership["id"])
    assert record["changes"]["to"] == "rejected"


async def test_lawyer_create_and_update_are_audited(client, admin, officer, agency):
    lawyer = await create_lawyer(client, officer, agency["id"])
    record = await the_record(client, admin, "lawyer.create", lawyer["id"])
    assert record["actor_sub"] == "officer-a"
    await client.patch(f"{API}/lawyers/{lawyer['id']}", json={"name": "新名"}, headers=officer)
    record = await the_record(client, admin, "lawyer.update", lawyer["id"])
    assert record["changes"] == {"name": "新名"}


async def test_a_refused_write_is_audited_as_denied(client, admin, auth):
    headers = auth(Role.CENTER_COORDINATOR, sub="center-zhao")
    response = await client.post(f"{API}/agencies", json=agency_body(), headers=headers)
    assert response.status_code == 403
    records = await audit_records(client, admin, action="authz.refused", actor_sub="center-zhao")
    assert len(records) == 1
    assert records[0]["outcome"] == "denied"
    # The refused agency was not created, and left no agency.create behind.
    assert await audit_records(client, admin, action="agency.create", actor_sub="center-zhao") == []


async def test_a_failed_write_leaves_no_audit_record(client, admin, officer, agency):
    year = current_year()
    lawyers = [await create_lawyer(client, admin, agency["id"]) for _ in range(3)]
    for lawyer in lawyers[:2]:
        await nominated(client, officer, lawyer["id"], year)
    before = await audit_records(client, admin, action="pool.nominate")
    response = await client.post(
        f"{API}/pool/memberships",
        json={"lawyer_id": lawyers[2]["id"], "year": year},
        headers=officer,
    )
    assert response.status_code == 409
    assert await audit_records(client, admin, action="pool.nominate") == before


@pytest.mark.parametrize("reader", ["admin", "supervisor"])
async def test_the_chain_still_verifies_after_registry_writes(
    client, request, admin, officer, coordinator, supervisor, agency, reader
):
    lawyer = await create_lawyer(client, officer, agency["id"], phone="13812345678")
    membership = await nominated(client, officer, lawyer["id"], current_year())
    await decide_membership(client, coordinator, membership["id"], "approve")
    await client.put(
        f"{API}/lawyers/{lawyer['id']}/certificate-status",
        json={"status": "suspended", "reason": "暂停"},
        headers=supervisor,
    )
    response = await client.get(f"{API}/audit/verify", headers=request.getfixturevalue(reader))
    assert response.status_code == 200
    assert response.json()["valid"] is True
