"""Public lawyers (SPEC 2.3) through the HTTP API: registration, sealed phones, visibility,
updates."""

import json
import uuid

import pytest
from sqlalchemy import select

from app.db.models import Lawyer
from app.states.codes import Role
from tests.support.factories import (
    API,
    audit_records,
    create_lawyer,
    field_errors,
    lawyer_body,
    list_all,
)

PHONE = "13812345678"


# --- create ---------------------------------------------------------------------------------


async def test_admin_registers_a_lawyer_with_defaults(client, admin, agency):
    body = lawyer_body(agency["id"], name="李华")
    response = await client.post(f"{API}/lawyers", json=body, headers=admin)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/api/v1/lawyers/{created['id']}"
    assert created["name"] == "李华"
    assert created["agency_id"] == agency["id"]
    assert created["certificate_no"] == body["certificate_no"]
    assert created["certificate_status"] == "active"
    assert created["certificate_status_reason"] is None
    assert created["active"] is True
    assert created["phone"] is None
    # Specialties default to the agency's business system.
    assert created["specialties"] == ["natural_resources"]


async def test_supervisor_registers_a_lawyer_of_any_agency(client, supervisor, other_agency):
    created = await create_lawyer(client, supervisor, other_agency["id"])
    assert created["specialties"] == ["market_regulation"]


async def test_an_agency_officer_registers_its_own_agencys_lawyers(client, officer, agency):
    created = await create_lawyer(client, officer, agency["id"])
    assert created["agency_id"] == agency["id"]


async def test_an_agency_officer_cannot_register_for_another_agency(client, officer, other_agency):
    response = await client.post(
        f"{API}/lawyers", json=lawyer_body(other_agency["id"]), headers=officer
    )
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "not_own_agency"


@pytest.mark.parametrize("role", [Role.CENTER_COORDINATOR, Role.LAWYER])
async def test_coordinators_and_lawyers_cannot_register_lawyers(client, auth, agency, role):
    response = await client.post(
        f"{API}/lawyers", json=lawyer_body(agency["id"]), headers=auth(role)
    )
    assert response.status_code == 403


async def test_given_specialties_are_kept_sorted_and_unique(client, admin, agency):
    created = await create_lawyer(
        client, admin, agency["id"], specialties=["transport", "health", "transport"]
    )
    assert created["specialties"] == ["health", "transport"]


async def test_an_unknown_specialty_is_named_by_its_position(client, admin, agency):
    body = lawyer_body(agency["id"], specialties=["health", "alchemy", "transport", "magic"])
    response = await client.post(f"{API}/lawyers", json=body, headers=admin)
    assert field_errors(response) == {
        "specialties.1": "unknown_business_system",
        "specialties.3": "unknown_business_system",
    }


async def test_a_duplicate_certificate_number_is_a_conflict(client, admin, agency, other_agency):
    first = await create_lawyer(client, admin, agency["id"])
    response = await client.post(
        f"{API}/lawyers",
        json=lawyer_body(other_agency["id"], certificate_no=first["certificate_no"]),
        headers=admin,
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "duplicate_certificate_no"


async def test_a_lawyer_of_an_unknown_agency_is_refused(client, admin):
    response = await client.post(f"{API}/lawyers", json=lawyer_body(uuid.uuid4()), headers=admin)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("field", ["name", "agency_id", "certificate_no", "certificate_issued_on"])
async def test_required_fields_are_named_when_missing(client, admin, agency, field):
    body = lawyer_body(agency["id"])
    del body[field]
    response = await client.post(f"{API}/lawyers", json=body, headers=admin)
    assert field in field_errors(response)


async def test_the_certificate_status_cannot_be_set_at_registration(client, admin, agency):
    body = lawyer_body(agency["id"], certificate_status="suspended")
    response = await client.post(f"{API}/lawyers", json=body, headers=admin)
    assert "certificate_status" in field_errors(response)


# --- the phone is personal data -------------------------------------------------------------


async def test_the_phone_is_sealed_at_rest_and_masked_in_responses(
    client, admin, agency, session, app
):
    created = await create_lawyer(client, admin, agency["id"], phone=PHONE)
    assert created["phone"] == "138****5678"
    response = await client.get(f"{API}/lawyers/{created['id']}", headers=admin)
    assert response.json()["phone"] == "138****5678"
    assert PHONE not in response.text
    assert response.headers["cache-control"] == "no-store"
    listed = await client.get(f"{API}/lawyers", params={"agency_id": agency["id"]}, headers=admin)
    assert PHONE not in listed.text

    sealed, masked = (
        await session.execute(
            select(Lawyer.phone_sealed, Lawyer.phone_masked).where(
                Lawyer.id == uuid.UUID(created["id"])
            )
        )
    ).one()
    assert sealed is not None
    assert PHONE not in sealed
    assert "12345678" not in sealed
    assert masked == "138****5678"
    assert app.state.cipher.decrypt(sealed, field="lawyer.phone") == PHONE


async def test_the_same_phone_is_sealed_differently_each_time(client, admin, agency, session):
    one = await create_lawyer(client, admin, agency["id"], phone=PHONE)
    two = await create_lawyer(client, admin, agency["id"], phone=PHONE)
    rows = (
        await session.execute(
            select(Lawyer.phone_sealed).where(
                Lawyer.id.in_([uuid.UUID(one["id"]), uuid.UUID(two["id"])])
            )
        )
    ).scalars()
    assert len(set(rows)) == 2


async def test_a_phone_written_with_country_code_is_normalised(client, admin, agency, session, app):
    created = await create_lawyer(client, admin, agency["id"], phone="+86 138-1234-5678")
    assert created["phone"] == "138****5678"
    sealed = (
        await session.execute(
            select(Lawyer.phone_sealed).where(Lawyer.id == uuid.UUID(created["id"]))
        )
    ).scalar_one()
    assert app.state.cipher.decrypt(sealed, field="lawyer.phone") == PHONE


async def test_a_fixed_line_is_masked_too(client, admin, agency):
    created = await create_lawyer(client, admin, agency["id"], phone="0635-8123456")
    assert created["phone"] == "0635-***3456"


async def test_the_audit_record_of_a_registration_holds_no_phone_in_clear(client, admin, agency):
    created = await create_lawyer(client, admin, agency["id"], phone=PHONE)
    records = await audit_records(client, admin, action="lawyer.create", object_id=created["id"])
    assert len(records) == 1
    record = records[0]
    assert record["changes"]["phone"] == "138****5678"
    assert PHONE not in json.dumps(record, ensure_ascii=False)
    assert record["changes"]["certificate_no"] == created["certificate_no"]


@pytest.mark.parametrize(
    "phone", ["12345", "1381234567", "23812345678", "phone me", "0635-0123456"]
)
async def test_an_invalid_phone_is_refused_without_echoing_it(client, admin, agency, phone):
    body = lawyer_body(agency["id"], phone=phone)
    response = await client.post(f"{API}/lawyers", json=body, headers=admin)
    assert field_errors(response) == {"phone": "invalid_phone"}
    assert phone not in response.text


# --- visibility -----------------------------------------------------------------------------


async def test_who_may_read_a_lawyer(
    client, auth, admin, supervisor, coordinator, officer, other_officer, as_lawyer, agency
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    colleague = await create_lawyer(client, admin, agency["id"])
    url = f"{API}/lawyers/{lawyer['id']}"
    for headers in (admin, supervisor, coordinator, officer, as_lawyer(lawyer)):
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["id"] == lawyer["id"]
    # Those who may not read it learn nothing, not even that it exists.
    for headers in (other_officer, as_lawyer(colleague), auth(Role.LAWYER)):
        response = await client.get(url, headers=headers)
        assert response.status_code == 404, response.text
    unknown = await client.get(f"{API}/lawyers/{uuid.uuid4()}", headers=other_officer)
    assert unknown.json()["detail"] == response.json()["detail"]


async def test_an_agency_officer_lists_only_its_own_lawyers(
    client, admin, officer, agency, other_agency
):
    mine = [await create_lawyer(client, admin, agency["id"]) for _ in range(2)]
    await create_lawyer(client, admin, other_agency["id"])
    listed = await list_all(client, officer, f"{API}/lawyers")
    assert sorted(i["id"] for i in listed) == sorted(m["id"] for m in mine)
    asked_for_other = await client.get(
        f"{API}/lawyers", params={"agency_id": other_agency["id"]}, headers=officer
    )
    assert asked_for_other.status_code == 200
    assert asked_for_other.json()["items"] == []


async def test_a_lawyer_lists_only_themself(client, admin, agency, as_lawyer):
    me = await create_lawyer(client, admin, agency["id"])
    await create_lawyer(client, admin, agency["id"])
    listed = await list_all(client, as_lawyer(me), f"{API}/lawyers")
    assert [i["id"] for i in listed] == [me["id"]]
    filtered = await list_all(client, as_lawyer(me), f"{API}/lawyers", agency_id=agency["id"])
    assert [i["id"] for i in filtered] == [me["id"]]


async def test_the_center_and_bureau_list_every_agencys_lawyers(
    client, admin, coordinator, supervisor, agency, other_agency
):
    ids = {
        (await create_lawyer(client, admin, agency["id"]))["id"],
        (await create_lawyer(client, admin, other_agency["id"]))["id"],
    }
    for headers in (coordinator, supervisor):
        assert ids <= {i["id"] for i in await list_all(client, headers, f"{API}/lawyers")}


async def test_list_filters_by_agency_specialty_and_certificate_status(
    client, admin, supervisor, agency, other_agency
):
    a1 = await create_lawyer(client, admin, agency["id"], specialties=["health", "transport"])
    a2 = await create_lawyer(client, admin, agency["id"])
    b1 = await create_lawyer(client, admin, other_agency["id"], specialties=["transport"])
    put = await client.put(
        f"{API}/lawyers/{a2['id']}/certificate-status",
        json={"status": "suspended", "reason": "年度考核不合格"},
        headers=supervisor,
    )
    assert put.status_code == 200, put.text

    by_agency = await list_all(client, admin, f"{API}/lawyers", agency_id=agency["id"])
    assert sorted(i["id"] for i in by_agency) == sorted([a1["id"], a2["id"]])

    by_specialty = await list_all(client, admin, f"{API}/lawyers", specialty="transport")
    assert {a1["id"], b1["id"]} <= {i["id"] for i in by_specialty}
    assert a2["id"] not in {i["id"] for i in by_specialty}
    assert all("transport" in i["specialties"] for i in by_specialty)
    # The filter matches one of the specialties, yet the lawyer comes with all of them.
    assert next(i for i in by_specialty if i["id"] == a1["id"])["specialties"] == [
        "health",
        "transport",
    ]

    suspended = await list_all(client, admin, f"{API}/lawyers", certificate_status="suspended")
    assert [i["id"] for i in suspended] == [a2["id"]]
    active_here = await list_all(
        client, admin, f"{API}/lawyers", agency_id=agency["id"], certificate_status="active"
    )
    assert [i["id"] for i in active_here] == [a1["id"]]


async def test_lawyer_list_pages_cover_everyone_once(client, admin, agency):
    made = {(await create_lawyer(client, admin, agency["id"]))["id"] for _ in range(5)}
    listed = await list_all(client, admin, f"{API}/lawyers", agency_id=agency["id"], limit=2)
    assert len(listed) == 5
    assert {i["id"] for i in listed} == made


async def test_an_unknown_certificate_status_filter_is_a_validation_error(client, admin):
    response = await client.get(f"{API}/lawyers?certificate_status=expired", headers=admin)
    assert "query.certificate_status" in field_errors(response)


# --- PATCH ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "supervisor", "officer"])
async def test_the_right_roles_update_a_lawyer(client, request, admin, agency, who):
    headers = request.getfixturevalue(who)
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await client.patch(
        f"{API}/lawyers/{lawyer['id']}",
        json={"name": "王强", "specialties": ["health"]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "王强"
    assert response.json()["specialties"] == ["health"]
    assert response.json()["certificate_no"] == lawyer["certificate_no"]
    fetched = await client.get(f"{API}/lawyers/{lawyer['id']}", headers=admin)
    assert fetched.json()["name"] == "王强"


async def test_others_may_not_update_a_lawyer(
    client, admin, coordinator, other_officer, as_lawyer, agency
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    url = f"{API}/lawyers/{lawyer['id']}"
    # The center and the lawyer can read the record but not change it.
    for headers in (coordinator, as_lawyer(lawyer)):
        response = await client.patch(url, json={"name": "改名"}, headers=headers)
        assert response.status_code == 403, response.text
    # Another agency cannot even see it.
    response = await client.patch(url, json={"name": "改名"}, headers=other_officer)
    assert response.status_code == 404
    assert (await client.get(url, headers=admin)).json()["name"] == lawyer["name"]


async def test_an_officer_cannot_move_a_lawyer_to_another_agency(
    client, admin, officer, agency, other_agency
):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await client.patch(
        f"{API}/lawyers/{lawyer['id']}", json={"agency_id": other_agency["id"]}, headers=officer
    )
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "not_own_agency"
    fetched = await client.get(f"{API}/lawyers/{lawyer['id']}", headers=admin)
    assert fetched.json()["agency_id"] == agency["id"]


async def test_the_bureau_moves_a_lawyer_and_visibility_follows(
    client, supervisor, officer, other_officer, agency, other_agency
):
    lawyer = await create_lawyer(client, supervisor, agency["id"])
    response = await client.patch(
        f"{API}/lawyers/{lawyer['id']}",
        json={"agency_id": other_agency["id"]},
        headers=supervisor,
    )
    assert response.status_code == 200, response.text
    assert response.json()["agency_id"] == other_agency["id"]
    assert (await client.get(f"{API}/lawyers/{lawyer['id']}", headers=officer)).status_code == 404
    moved = await client.get(f"{API}/lawyers/{lawyer['id']}", headers=other_officer)
    assert moved.status_code == 200


async def test_patching_the_phone_seals_the_new_number(
    client, admin, officer, agency, session, app
):
    lawyer = await create_lawyer(client, admin, agency["id"], phone=PHONE)
    response = await client.patch(
        f"{API}/lawyers/{lawyer['id']}", json={"phone": "13900001111"}, headers=officer
    )
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "139****1111"
    sealed = (
        await session.execute(
            select(Lawyer.phone_sealed).where(Lawyer.id == uuid.UUID(lawyer["id"]))
        )
    ).scalar_one()
    assert app.state.cipher.decrypt(sealed, field="lawyer.phone") == "13900001111"
    records = await audit_records(client, admin, action="lawyer.update", object_id=lawyer["id"])
    assert records[0]["changes"] == {"phone": "139****1111"}


async def test_patching_the_phone_to_null_removes_it(client, admin, agency, session):
    lawyer = await create_lawyer(client, admin, agency["id"], phone=PHONE)
    response = await client.patch(
        f"{API}/lawyers/{lawyer['id']}", json={"phone": None}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.json()["phone"] is None
    sealed = (
        await session.execute(
            select(Lawyer.phone_sealed).where(Lawyer.id == uuid.UUID(lawyer["id"]))
        )
    ).scalar_one()
    assert sealed is None


async def test_patching_specialties_to_null_restores_the_agency_default(client, admin, agency):
    # Found by schemathesis: this answered 500.
    lawyer = await create_lawyer(client, admin, agency["id"], specialties=["health"])
    response = await client.patch(
        f"{API}/lawyers/{lawyer['id']}", json={"specialties": None}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.json()["specialties"] == [agency["business_system"]]


async def test_the_document_says_which_patch_fields_may_be_null(client):
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    fields = schemas["LawyerPatch"]["properties"]
    for name in ("name", "agency_id", "certificate_no", "certificate_issued_on", "active"):
        assert "anyOf" not in fields[name], name
        assert fields[name].get("type") != "null", name
    assert {"type": "null"} in fields["phone"]["anyOf"]
    assert {"type": "null"} in fields["specialties"]["anyOf"]


async def test_patch_to_a_taken_certificate_number_is_a_conflict(client, admin, agency):
    first = await create_lawyer(client, admin, agency["id"])
    second = await create_lawyer(client, admin, agency["id"])
    response = await client.patch(
        f"{API}/lawyers/{second['id']}",
        json={"certificate_no": first["certificate_no"]},
        headers=admin,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_certificate_no"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"specialties": ["no_such_system"]}, "specialties.0"),
        ({"specialties": []}, "specialties"),
        ({"phone": "12"}, "phone"),
        ({"name": None}, "name"),
        ({"certificate_status": "revoked"}, "certificate_status"),
    ],
)
async def test_patch_validation_names_the_field(client, admin, agency, patch, field):
    lawyer = await create_lawyer(client, admin, agency["id"])
    response = await client.patch(f"{API}/lawyers/{lawyer['id']}", json=patch, headers=admin)
    assert field in field_errors(response)
