"""Applicants' identity and phone numbers (SPEC 4.3): masked in every response, list, timeline,
audit record, error and log line; sealed in the database; revealed only to the center's
coordinators and the supervisor, and every reveal audited."""

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db.base import Base
from app.db.models import CaseApplicant
from app.main import create_app
from app.states.codes import Role
from tests.conftest import CLIENT_ADDRESS
from tests.support.factories import (
    API,
    CASES,
    applicant,
    case_body,
    classification_body,
    classify,
    create_case,
    credit_code,
    legal_person,
    masked_id,
    masked_mobile,
    mobile,
    resident_id,
    resident_id_with_wrong_check_char,
)
from tests.support.problems import assert_problem


@pytest.fixture
def person() -> dict[str, Any]:
    return applicant(id_number=resident_id(), phone=mobile())


@pytest.fixture
async def case(client, coordinator, intake, respondent, person):
    return await create_case(
        client, coordinator, case_body(intake, respondent, applicants=[person])
    )


def assert_no_clear(text: str, *values: str) -> None:
    for value in values:
        assert value not in text, f"{value} in clear in: {text[:2000]}"


# --- masked in responses ---------------------------------------------------------------------


async def test_the_created_case_shows_masked_numbers(client, coordinator, case, person):
    shown = case["applicants"][0]
    assert shown["id_number"] == masked_id(person["id_number"])
    assert shown["id_number"].count("*") == 10
    assert shown["phone"] == masked_mobile(person["phone"])
    assert shown["name"] == person["name"]
    assert shown["address"] == person["address"]


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER]
)
async def test_reading_shows_masked_numbers_to_every_role(client, auth, case, person, intake, role):
    headers = auth(role, agency_id=uuid.UUID(intake) if role is Role.AGENCY_OFFICER else None)
    response = await client.get(f"{CASES}/{case['id']}", headers=headers)
    assert response.status_code == 200, response.text
    assert_no_clear(response.text, person["id_number"], person["phone"])
    shown = response.json()["applicants"][0]
    assert shown["id_number"] == masked_id(person["id_number"])
    assert shown["phone"] == masked_mobile(person["phone"])


async def test_legal_persons_and_fixed_lines_are_masked_too(
    client, coordinator, intake, respondent
):
    company = legal_person(phone="0635-8123456")
    case = await create_case(
        client, coordinator, case_body(intake, respondent, applicants=[company])
    )
    shown = case["applicants"][0]
    assert shown["id_number"] == masked_id(company["id_number"])
    assert shown["phone"] == "0635-***3456"


async def test_list_items_carry_no_applicant_data(client, coordinator, case, person):
    response = await client.get(CASES, headers=coordinator)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    item = next(i for i in response.json()["items"] if i["id"] == case["id"])
    assert "applicants" not in item
    assert item["applicant_count"] == 1
    assert_no_clear(response.text, person["id_number"], person["phone"], person["name"])
    assert masked_id(person["id_number"]) not in response.text


async def test_case_responses_are_not_cached(client, coordinator, case):
    for response in (
        await client.get(f"{CASES}/{case['id']}", headers=coordinator),
        await client.get(f"{CASES}/{case['id']}", params={"reveal": "pii"}, headers=coordinator),
        await client.get(f"{CASES}/{case['id']}/events", headers=coordinator),
        await client.get(CASES, headers=coordinator),
        await client.patch(
            f"{CASES}/{case['id']}",
            json={"title": "更正后的标题"},
            headers={**coordinator, "If-Match": f'"{case["id"]}.1"'},
        ),
    ):
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"


# --- reveal ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CENTER_COORDINATOR, Role.SUPERVISOR])
async def test_coordinator_and_supervisor_may_reveal(client, auth, admin, case, person, role):
    headers = auth(role, sub=f"revealer-{role.value}")
    response = await client.get(f"{CASES}/{case['id']}", params={"reveal": "pii"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    shown = response.json()["applicants"][0]
    assert shown["id_number"] == person["id_number"]
    assert shown["phone"] == person["phone"]
    records = await audit(client, admin, action="case.reveal_pii", object_id=case["id"])
    assert len(records) == 1
    assert records[0]["actor_sub"] == f"revealer-{role.value}"
    assert records[0]["actor_role"] == role.value
    assert records[0]["object_type"] == "case"
    assert_no_clear(json.dumps(records, ensure_ascii=False), person["id_number"], person["phone"])


async def test_every_reveal_is_audited(client, coordinator, admin, case):
    for _ in range(3):
        response = await client.get(
            f"{CASES}/{case['id']}", params={"reveal": "pii"}, headers=coordinator
        )
        assert response.status_code == 200
    await client.get(f"{CASES}/{case['id']}", headers=coordinator)
    records = await audit(client, admin, action="case.reveal_pii", object_id=case["id"])
    assert len(records) == 3


async def test_reveal_of_a_legal_persons_credit_code(client, coordinator, intake, respondent):
    company = legal_person()
    case = await create_case(
        client, coordinator, case_body(intake, respondent, applicants=[company])
    )
    response = await client.get(
        f"{CASES}/{case['id']}", params={"reveal": "pii"}, headers=coordinator
    )
    assert response.json()["applicants"][0]["id_number"] == company["id_number"]
    assert response.json()["applicants"][0]["phone"] == company["phone"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENCY_OFFICER])
async def test_admin_and_officers_may_not_reveal(client, auth, admin, case, person, intake, role):
    headers = auth(role, agency_id=uuid.UUID(intake) if role is Role.AGENCY_OFFICER else None)
    response = await client.get(f"{CASES}/{case['id']}", params={"reveal": "pii"}, headers=headers)
    assert_problem(response, 403, "reveal_not_allowed")
    assert_no_clear(response.text, person["id_number"], person["phone"])
    assert await audit(client, admin, action="case.reveal_pii", object_id=case["id"]) == []


async def test_a_hidden_case_cannot_be_revealed_by_anyone_outside(
    client, officer_of, case, bystander
):
    response = await client.get(
        f"{CASES}/{case['id']}", params={"reveal": "pii"}, headers=officer_of(bystander)
    )
    assert_problem(response, 404)


async def test_reveal_takes_only_pii(client, coordinator, case):
    response = await client.get(
        f"{CASES}/{case['id']}", params={"reveal": "all"}, headers=coordinator
    )
    assert_problem(response, 422)


# --- nowhere in clear ------------------------------------------------------------------------


async def audit(client, admin, **filters) -> list[dict[str, Any]]:
    response = await client.get(f"{API}/audit", params={"limit": 200, **filters}, headers=admin)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


LogLines = Callable[[], list[dict[str, Any]]]


@asynccontextmanager
async def logged_client(capsys, settings, db) -> AsyncIterator[tuple[httpx.AsyncClient, LogLines]]:
    """A client on an app created while stdout is captured (its log handler writes to the
    captured stdout), and the JSON lines written so far."""
    app = create_app(settings, database=db)
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        def lines() -> list[dict[str, Any]]:
            out = capsys.readouterr().out
            return [json.loads(line) for line in out.splitlines() if line.strip()]

        lines()
        yield client, lines


async def test_a_whole_case_life_leaves_no_clear_number_anywhere(
    capsys, caplog, settings, db, session, auth, intake, respondent, center
):
    coordinator = auth(Role.CENTER_COORDINATOR, sub="center-li")
    admin = auth(Role.ADMIN, sub="admin-zhao")
    officer = auth(Role.AGENCY_OFFICER, agency_id=uuid.UUID(intake))
    first, second = applicant(), applicant(phone="0635-8234567")
    company = legal_person()
    secrets = [
        first["id_number"],
        first["phone"],
        second["id_number"],
        second["phone"],
        company["id_number"],
    ]
    texts: list[str] = []
    async with logged_client(capsys, settings, db) as (client, lines):
        body = case_body(intake, respondent, applicants=[first, second, company])
        created = await client.post(
            CASES, json=body, headers={**coordinator, "Idempotency-Key": "life-0001"}
        )
        assert created.status_code == 201, created.text
        case_id = created.json()["id"]
        replay = await client.post(
            CASES, json=body, headers={**coordinator, "Idempotency-Key": "life-0001"}
        )
        assert replay.status_code == 201
        reused = await client.post(
            CASES,
            json={**body, "title": "另一请求"},
            headers={**coordinator, "Idempotency-Key": "life-0001"},
        )
        assert reused.status_code == 422
        # Errors about the numbers themselves.
        bad_id = applicant(id_number=resident_id_with_wrong_check_char(resident_id()))
        bad_phone = applicant(phone="12912345678")
        refused = [
            await client.post(
                CASES,
                json=case_body(intake, respondent, applicants=[first, bad_id]),
                headers=coordinator,
            ),
            await client.post(
                CASES,
                json=case_body(intake, respondent, applicants=[bad_phone, first]),
                headers=coordinator,
            ),
            await client.post(
                CASES,
                json=case_body(intake, center, applicants=[first, second]),
                headers=coordinator,
            ),
            await client.post(
                CASES,
                json=case_body(intake, respondent, applicants=[first], status="closed"),
                headers=coordinator,
            ),
            await client.post(
                CASES,
                json=case_body(intake, respondent, applicants=[first]),
                headers=auth(Role.SUPERVISOR),
            ),
        ]
        assert [r.status_code for r in refused] == [422, 422, 422, 422, 403]
        secrets += [bad_id["id_number"], bad_phone["phone"]]
        read = [
            await client.get(f"{CASES}/{case_id}", headers=coordinator),
            await client.get(f"{CASES}/{case_id}", headers=officer),
            await client.get(CASES, headers=coordinator),
            await client.get(CASES, params={"q": first["id_number"]}, headers=coordinator),
        ]
        # A revealing read is the one place the numbers may appear; it is not kept below.
        revealed = await client.get(
            f"{CASES}/{case_id}", params={"reveal": "pii"}, headers=coordinator
        )
        assert revealed.status_code == 200
        assert first["id_number"] in revealed.text  # what the searches below look for
        assert second["phone"] in revealed.text
        await client.get(f"{CASES}/{case_id}", params={"reveal": "pii"}, headers=admin)
        etag = read[0].headers["etag"]
        patched = await client.patch(
            f"{CASES}/{case_id}",
            json={"applicants": [first, second, applicant(phone="13798765432")]},
            headers={**coordinator, "If-Match": etag},
        )
        assert patched.status_code == 200, patched.text
        secrets.append("13798765432")
        classified = await classify(client, coordinator, case_id, classification_body())
        assert classified.status_code == 200, classified.text
        events = await client.get(f"{CASES}/{case_id}/events", headers=coordinator)
        audit_page = await client.get(f"{API}/audit", params={"limit": 200}, headers=admin)
        output = lines()
        texts += [r.text for r in [created, replay, reused, *refused, *read, patched]]
        texts += [classified.text, events.text, audit_page.text]
    for text in texts:
        assert_no_clear(text, *secrets)
    assert [e["type"] for e in events.json()["items"]] == ["received", "corrected", "classify"]
    # The masked forms are there, the clear ones nowhere.
    assert masked_id(first["id_number"]) in created.text
    log_text = json.dumps(output, ensure_ascii=False)
    assert output
    assert_no_clear(log_text, *secrets)
    # What the service's loggers were handed (the test client's own httpx lines aside).
    service_records = [r for r in caplog.records if not r.name.startswith("httpx")]
    assert_no_clear("\n".join(str(r.getMessage()) for r in service_records), *secrets)
    # Nor in any table of the database.
    for table in Base.metadata.sorted_tables:
        rows = (await session.execute(select(table))).all()
        dumped = " ".join(str(value) for row in rows for value in row)
        assert_no_clear(dumped, *secrets)


async def test_applicant_rows_hold_sealed_masked_and_hashed_values(
    client, coordinator, session, case, person
):
    rows = (
        (
            await session.execute(
                select(CaseApplicant).where(CaseApplicant.case_id == uuid.UUID(case["id"]))
            )
        )
        .scalars()
        .all()
    )
    assert len(rows) == 1
    row = rows[0]
    assert row.id_number_masked == masked_id(person["id_number"])
    assert row.phone_masked == masked_mobile(person["phone"])
    assert row.id_number_sealed
    assert person["id_number"] not in row.id_number_sealed
    assert row.phone_sealed
    assert person["phone"] not in row.phone_sealed
    assert row.id_number_hash
    assert person["id_number"] not in row.id_number_hash
    # Two sealings of the same number differ (random nonce); the keyed hash does not.
    again = await create_case(
        client,
        coordinator,
        case_body(case["intake_agency_id"], case["respondent_agency_id"], applicants=[person]),
    )
    other = (
        await session.execute(
            select(CaseApplicant).where(CaseApplicant.case_id == uuid.UUID(again["id"]))
        )
    ).scalar_one()
    assert other.id_number_sealed != row.id_number_sealed
    assert other.id_number_hash == row.id_number_hash


async def test_validation_errors_about_numbers_do_not_echo_them(
    client, coordinator, intake, respondent
):
    bad_id = resident_id_with_wrong_check_char(resident_id())
    bad_phone = "12912345678"
    short_id = resident_id()[:17]
    # A resident ID's digits can make a valid credit code by chance (1 in 31): the legal
    # person gets a credit code with a wrong check character instead.
    good_code = credit_code()
    bad_code = good_code[:17] + next(c for c in "0123456789ABCD" if c != good_code[17])
    for person in (
        applicant(id_number=bad_id),
        applicant(phone=bad_phone),
        applicant(id_number=short_id),
        applicant(phone=bad_id),
        legal_person(id_number=bad_code),
    ):
        response = await client.post(
            CASES, json=case_body(intake, respondent, applicants=[person]), headers=coordinator
        )
        assert_problem(response, 422)
        assert_no_clear(response.text, bad_id, bad_phone, short_id, bad_code)
