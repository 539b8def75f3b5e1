"""Agencies (SPEC 2.1) and business systems (2.2) through the HTTP API."""

import pytest

from app.states.codes import Role
from tests.support.factories import (
    API,
    agency_body,
    create_agency,
    credit_code,
    credit_code_with_wrong_check_char,
    field_errors,
    list_all,
    seeded_agencies,
)

NON_ADMINS = [Role.SUPERVISOR, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER, Role.LAWYER]


# --- list, filters, pagination --------------------------------------------------------------


async def test_walking_all_pages_of_seven_sees_every_seeded_agency_once(client, auth):
    headers = auth(Role.LAWYER)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"{API}/agencies", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 7
        seen.extend(item["name"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert pages < 20, "pagination does not end"
    assert len(seen) == len(set(seen)), "an agency appeared on two pages"
    assert sorted(seen) == sorted(a["name"] for a in seeded_agencies())
    assert len(seen) == 49


async def test_list_pages_are_in_a_stable_order(client, auth):
    headers = auth(Role.ADMIN)
    first = await list_all(client, headers, f"{API}/agencies", limit=10)
    again = await list_all(client, headers, f"{API}/agencies", limit=10)
    assert [a["id"] for a in first] == [a["id"] for a in again]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("kind", "judicial_bureau"),
        ("kind", "reconciliation_center"),
        ("level", "zone"),
        ("level", "county"),
        ("region_code", "371521"),
        ("region_code", "371581"),
        ("business_system", "natural_resources"),
        ("business_system", "justice"),
    ],
)
async def test_list_filters_return_exactly_the_matching_agencies(client, auth, param, value):
    items = await list_all(client, auth(Role.ADMIN), f"{API}/agencies", **{param: value}, limit=5)
    expected = sorted(a["name"] for a in seeded_agencies() if a[param] == value)
    assert expected, "the filter value must match some seeded agency"
    assert sorted(i["name"] for i in items) == expected
    assert all(i[param] == value for i in items)


async def test_filters_combine(client, auth):
    items = await list_all(
        client,
        auth(Role.ADMIN),
        f"{API}/agencies",
        kind="administrative_organ",
        level="county",
        region_code="371522",
    )
    expected = [
        a["name"]
        for a in seeded_agencies()
        if (a["kind"], a["level"], a["region_code"]) == ("administrative_organ", "county", "371522")
    ]
    assert sorted(i["name"] for i in items) == sorted(expected)
    assert len(items) >= 1


async def test_an_unknown_kind_filter_is_a_validation_error(client, auth):
    response = await client.get(f"{API}/agencies?kind=ministry", headers=auth(Role.ADMIN))
    assert "query.kind" in field_errors(response)


@pytest.mark.parametrize("limit", [0, 201, -1])
async def test_a_page_size_outside_1_to_200_is_refused(client, auth, limit):
    response = await client.get(f"{API}/agencies?limit={limit}", headers=auth(Role.ADMIN))
    assert "query.limit" in field_errors(response)


async def test_a_page_of_200_holds_every_seeded_agency(client, auth):
    response = await client.get(f"{API}/agencies?limit=200", headers=auth(Role.ADMIN))
    assert response.status_code == 200
    assert len(response.json()["items"]) == 49
    assert response.json()["next_cursor"] is None


async def test_a_garbled_cursor_is_a_validation_error(client, auth):
    response = await client.get(f"{API}/agencies?cursor=not-a-cursor", headers=auth(Role.ADMIN))
    assert "query.cursor" in field_errors(response)


async def test_listing_agencies_needs_credentials(client):
    response = await client.get(f"{API}/agencies")
    assert response.status_code == 401


# --- create ---------------------------------------------------------------------------------


async def test_admin_creates_an_agency_with_location(client, auth):
    code = credit_code("12371500")
    body = agency_body(credit_code=code, level="county", region_code="371526")
    response = await client.post(f"{API}/agencies", json=body, headers=auth(Role.ADMIN))
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/api/v1/agencies/{created['id']}"
    assert {k: created[k] for k in body} == body
    assert created["active"] is True
    fetched = await client.get(response.headers["location"], headers=auth(Role.LAWYER))
    assert fetched.status_code == 200
    assert fetched.json() == created


async def test_a_new_agency_appears_in_the_filtered_list(client, auth):
    created = await create_agency(client, auth(Role.ADMIN), level="zone", region_code="371500")
    items = await list_all(client, auth(Role.ADMIN), f"{API}/agencies", level="zone")
    assert created["id"] in {i["id"] for i in items}
    assert len(items) == 4


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_only_an_admin_creates_agencies(client, auth, role):
    response = await client.post(f"{API}/agencies", json=agency_body(), headers=auth(role))
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "role_not_allowed"


async def test_a_wrong_credit_code_check_character_names_the_field(client, auth):
    body = agency_body(credit_code=credit_code_with_wrong_check_char(credit_code("12371500")))
    response = await client.post(f"{API}/agencies", json=body, headers=auth(Role.ADMIN))
    assert field_errors(response) == {"credit_code": "invalid_check_digit"}
    # The submitted value is not echoed back.
    assert body["credit_code"] not in response.text


async def test_a_lower_case_credit_code_is_stored_upper_case(client, auth):
    code = credit_code("12371500")
    created = await create_agency(client, auth(Role.ADMIN), credit_code=code.lower())
    assert created["credit_code"] == code


async def test_an_unknown_business_system_names_the_field(client, auth):
    body = agency_body(business_system="space_exploration")
    response = await client.post(f"{API}/agencies", json=body, headers=auth(Role.ADMIN))
    assert field_errors(response) == {"business_system": "unknown_business_system"}


@pytest.mark.parametrize("region_code", ["371523", "110101", "371599"])
async def test_an_unknown_region_code_names_the_field(client, auth, region_code):
    body = agency_body(level="county", region_code=region_code)
    response = await client.post(f"{API}/agencies", json=body, headers=auth(Role.ADMIN))
    assert field_errors(response) == {"region_code": "unknown_region_code"}


@pytest.mark.parametrize(
    ("level", "region_code"),
    [("county", "371500"), ("city", "371502"), ("zone", "371581")],
)
async def test_a_region_that_does_not_fit_the_level_is_refused(client, auth, level, region_code):
    body = agency_body(level=level, region_code=region_code)
    response = await client.post(f"{API}/agencies", json=body, headers=auth(Role.ADMIN))
    assert field_errors(response) == {"region_code": "region_level_mismatch"}


async def test_a_malformed_region_code_is_refused(client, auth):
    body = agency_body(region_code="37150")
    response = await client.post(f"{API}/agencies", json=body, headers=auth(Role.ADMIN))
    assert "region_code" in field_errors(response)


async def test_a_duplicate_name_is_a_conflict(client, auth):
    taken = seeded_agencies()[3]["name"]
    response = await client.post(
        f"{API}/agencies", json=agency_body(name=taken), headers=auth(Role.ADMIN)
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "duplicate_agency_name"


async def test_a_duplicate_credit_code_is_a_conflict(client, auth):
    code = credit_code("12371500")
    await create_agency(client, auth(Role.ADMIN), credit_code=code)
    response = await client.post(
        f"{API}/agencies", json=agency_body(credit_code=code), headers=auth(Role.ADMIN)
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "duplicate_credit_code"


async def test_unknown_fields_are_refused(client, auth):
    body = agency_body(seed_key="sneaky")
    response = await client.post(f"{API}/agencies", json=body, headers=auth(Role.ADMIN))
    assert "seed_key" in field_errors(response)


# --- read and PATCH -------------------------------------------------------------------------


async def test_an_unknown_agency_is_not_found(client, auth):
    response = await client.get(
        f"{API}/agencies/0190c0de-0000-7000-8000-000000000000", headers=auth(Role.ADMIN)
    )
    assert response.status_code == 404


async def test_admin_patches_only_the_given_fields(client, auth):
    created = await create_agency(client, auth(Role.ADMIN))
    response = await client.patch(
        f"{API}/agencies/{created['id']}",
        json={"short_name": "新简称", "business_system": "transport"},
        headers=auth(Role.ADMIN),
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["short_name"] == "新简称"
    assert patched["business_system"] == "transport"
    assert patched["name"] == created["name"]
    fetched = await client.get(f"{API}/agencies/{created['id']}", headers=auth(Role.ADMIN))
    assert fetched.json()["business_system"] == "transport"


async def test_patch_can_deactivate_an_agency(client, auth):
    created = await create_agency(client, auth(Role.ADMIN))
    response = await client.patch(
        f"{API}/agencies/{created['id']}", json={"active": False}, headers=auth(Role.ADMIN)
    )
    assert response.status_code == 200
    inactive = await list_all(client, auth(Role.ADMIN), f"{API}/agencies", active="false")
    assert [a["id"] for a in inactive] == [created["id"]]


@pytest.mark.parametrize("role", NON_ADMINS)
async def test_only_an_admin_patches_agencies(client, auth, role):
    created = await create_agency(client, auth(Role.ADMIN))
    response = await client.patch(
        f"{API}/agencies/{created['id']}", json={"short_name": "x"}, headers=auth(role)
    )
    assert response.status_code == 403


async def test_patch_to_a_taken_name_is_a_conflict(client, auth):
    created = await create_agency(client, auth(Role.ADMIN))
    response = await client.patch(
        f"{API}/agencies/{created['id']}",
        json={"name": seeded_agencies()[0]["name"]},
        headers=auth(Role.ADMIN),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_agency_name"


async def test_patch_keeping_its_own_name_is_not_a_conflict(client, auth):
    created = await create_agency(client, auth(Role.ADMIN))
    response = await client.patch(
        f"{API}/agencies/{created['id']}", json={"name": created["name"]}, headers=auth(Role.ADMIN)
    )
    assert response.status_code == 200, response.text


async def test_patch_checks_the_level_against_the_stored_region(client, auth):
    created = await create_agency(client, auth(Role.ADMIN), level="city", region_code="371500")
    response = await client.patch(
        f"{API}/agencies/{created['id']}", json={"level": "county"}, headers=auth(Role.ADMIN)
    )
    assert field_errors(response) == {"region_code": "region_level_mismatch"}


@pytest.mark.parametrize(
    ("patch", "field", "code"),
    [
        ({"business_system": "nothing_like_it"}, "business_system", "unknown_business_system"),
        ({"region_code": "371523", "level": "county"}, "region_code", "unknown_region_code"),
        ({"name": None}, "name", "null_not_allowed"),
    ],
)
async def test_patch_validates_like_create(client, auth, patch, field, code):
    created = await create_agency(client, auth(Role.ADMIN))
    response = await client.patch(
        f"{API}/agencies/{created['id']}", json=patch, headers=auth(Role.ADMIN)
    )
    assert field_errors(response) == {field: code}


async def test_patch_with_a_wrong_credit_code_names_the_field(client, auth):
    created = await create_agency(client, auth(Role.ADMIN))
    response = await client.patch(
        f"{API}/agencies/{created['id']}",
        json={"credit_code": credit_code_with_wrong_check_char(credit_code("12371500"))},
        headers=auth(Role.ADMIN),
    )
    assert field_errors(response) == {"credit_code": "invalid_check_digit"}


# --- business systems -----------------------------------------------------------------------


async def test_business_systems_are_listed_with_chinese_labels(client, auth):
    response = await client.get(f"{API}/business-systems", headers=auth(Role.LAWYER))
    assert response.status_code == 200
    systems = {s["code"]: s for s in response.json()}
    assert systems["natural_resources"]["label_zh"] == "自然资源和规划"
    assert systems["public_security"]["label_zh"] == "公安"
    assert systems["other"]["label_zh"] == "其他"
    named_in_spec = {
        "natural_resources", "human_resources_social_security", "market_regulation",
        "public_security", "housing_construction", "urban_management", "ecology_environment",
        "transport", "education_sports", "health", "agriculture_rural", "civil_affairs",
        "emergency_management", "administrative_approval", "medical_security", "taxation",
        "water_resources", "culture_tourism", "finance", "other",
    }  # fmt: skip
    assert named_in_spec <= set(systems)
    assert all(s["active"] for s in systems.values())
    orders = [s["sort_order"] for s in response.json()]
    assert orders == sorted(orders)
    # Every seeded agency's business system is on the list.
    assert {a["business_system"] for a in seeded_agencies()} <= set(systems)


async def test_business_systems_need_credentials(client):
    response = await client.get(f"{API}/business-systems")
    assert response.status_code == 401
