"""Intake (SPEC 2.5) through the HTTP API: the created case, its number, validation, external
references, related procedures and the derived fields (collective, deadlines, duplicates)."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.domain.common.identifiers import (
    InvalidIdentifier,
    normalize_credit_code,
    resident_id_check_char,
)
from app.domain.common.workdays import default_calendar
from tests.support.factories import (
    CASES,
    applicant,
    case_body,
    case_seq,
    classify,
    create_case,
    credit_code,
    days_ago,
    field_errors,
    legal_person,
    not_met_body,
    resident_id,
    today,
)
from tests.support.problems import assert_problem

CASE_NO = re.compile(r"^LC(\d{4})-(\d{5})$")


def shanghai_year_now() -> int:
    return today().year


# --- the created case ---------------------------------------------------------------------


async def test_intake_answers_201_with_location_etag_and_the_case(
    client, coordinator, intake, respondent
):
    body = case_body(intake, respondent, channel="letter")
    response = await client.post(CASES, json=body, headers=coordinator)
    assert response.status_code == 201, response.text
    case = response.json()
    assert response.headers["location"] == f"/api/v1/cases/{case['id']}"
    assert response.headers["etag"] == f'"{case["id"]}.1"'
    assert response.headers["cache-control"] == "no-store"
    assert case["status"] == "received"
    assert case["version"] == 1
    assert case["channel"] == "letter"
    assert case["intake_agency_id"] == intake
    assert case["respondent_agency_id"] == respondent
    assert case["title"] == body["title"]
    assert case["facts"] == body["facts"]
    assert case["claims"] == body["claims"]
    assert case["act"]["type"] == "administrative_penalty"
    assert case["act"]["made_on"] == body["act"]["made_on"]
    assert case["act"]["known_on"] == body["act"]["known_on"]
    assert case["applicant_count"] == 1
    assert case["collective"] is False
    assert case["priority"] == "normal"
    assert case["business_system"] is None
    assert case["outcome_type"] is None
    assert case["possible_duplicates"] == []
    assert case["allowed_actions"] == ["classify", "close_not_administrative", "withdraw"]
    # The same case is there to read, with the same ETag.
    read = await client.get(f"{CASES}/{case['id']}", headers=coordinator)
    assert read.status_code == 200
    assert read.headers["etag"] == response.headers["etag"]
    assert read.json()["case_no"] == case["case_no"]


async def test_received_at_defaults_to_now(client, coordinator, intake, respondent):
    before = datetime.now(UTC)
    case = await create_case(client, coordinator, case_body(intake, respondent))
    after = datetime.now(UTC)
    received = datetime.fromisoformat(case["received_at"])
    assert received.tzinfo is not None
    assert before - timedelta(seconds=1) <= received <= after + timedelta(seconds=1)


async def test_case_no_carries_the_shanghai_year_and_five_digits(
    client, coordinator, intake, respondent
):
    case = await create_case(client, coordinator, case_body(intake, respondent))
    match = CASE_NO.match(case["case_no"])
    assert match, case["case_no"]
    assert int(match.group(1)) == shanghai_year_now()


@pytest.mark.parametrize(
    ("received_at", "year"),
    [
        # 00:30 on 1 January in Shanghai, still 31 December in UTC.
        ("2025-12-31T16:30:00Z", 2026),
        ("2025-12-31T23:30:00+08:00", 2025),
        ("2025-12-31T15:59:59Z", 2025),
        ("2025-01-01T00:10:00+08:00", 2025),
        ("2024-12-31T16:00:00Z", 2025),
    ],
)
async def test_the_year_of_the_number_is_the_asia_shanghai_year_of_received_at(
    client, coordinator, intake, respondent, received_at, year
):
    body = case_body(
        intake,
        respondent,
        received_at=received_at,
        act={"type": "other", "made_on": "2024-10-01", "known_on": "2024-10-02"},
    )
    case = await create_case(client, coordinator, body)
    assert case_seq(case["case_no"])[0] == year


async def test_case_numbers_are_consecutive_and_per_year(client, coordinator, intake, respondent):
    this_year = [
        await create_case(client, coordinator, case_body(intake, respondent)) for _ in range(3)
    ]
    seqs = [case_seq(c["case_no"]) for c in this_year]
    year = seqs[0][0]
    assert [s for _, s in seqs] == [seqs[0][1], seqs[0][1] + 1, seqs[0][1] + 2]
    # Another year has its own counter, unaffected by this one.
    old = case_body(
        intake,
        respondent,
        received_at="2023-05-06T09:00:00+08:00",
        act={"type": "other", "made_on": "2023-04-01"},
    )
    first_of_2023 = case_seq((await create_case(client, coordinator, old))["case_no"])
    second_of_2023 = case_seq((await create_case(client, coordinator, old))["case_no"])
    assert first_of_2023[0] == 2023
    assert second_of_2023 == (2023, first_of_2023[1] + 1)
    after = await create_case(client, coordinator, case_body(intake, respondent))
    assert case_seq(after["case_no"]) == (year, seqs[-1][1] + 1)


async def test_a_failed_intake_consumes_no_number(client, coordinator, intake, respondent, center):
    ref = {"system": "xinfang", "id": "XF-2026-NUM-1"}
    first = await create_case(client, coordinator, case_body(intake, respondent, external_ref=ref))
    # Refused after the request passed schema validation: respondent not an organ (422),
    # the same external record again (409), a future act date (422).
    refused = [
        await client.post(CASES, json=case_body(intake, center), headers=coordinator),
        await client.post(
            CASES, json=case_body(intake, respondent, external_ref=ref), headers=coordinator
        ),
        await client.post(
            CASES,
            json=case_body(
                intake,
                respondent,
                act={"type": "other", "made_on": (today() + timedelta(days=3)).isoformat()},
            ),
            headers=coordinator,
        ),
        await client.post(
            CASES,
            json=case_body(intake, respondent, applicants=[]),
            headers=coordinator,
        ),
    ]
    assert [r.status_code for r in refused] == [422, 409, 422, 422]
    second = await create_case(client, coordinator, case_body(intake, respondent))
    year, seq = case_seq(first["case_no"])
    assert case_seq(second["case_no"]) == (year, seq + 1)


async def test_fields_the_service_sets_cannot_be_sent(client, coordinator, intake, respondent):
    body = case_body(
        intake,
        respondent,
        status="closed",
        case_no="LC2026-99999",
        version=7,
        collective=True,
    )
    fields = field_errors(await client.post(CASES, json=body, headers=coordinator))
    assert {"status", "case_no", "version", "collective"} <= fields.keys()
    assert fields["status"] == "extra_forbidden"


async def test_unknown_nested_fields_are_refused(client, coordinator, intake, respondent):
    body = case_body(intake, respondent)
    body["applicants"][0]["nationality"] = "CN"
    body["act"]["penalty_amount"] = 5000
    fields = field_errors(await client.post(CASES, json=body, headers=coordinator))
    assert "applicants.0.nationality" in fields
    assert "act.penalty_amount" in fields


# --- validation -----------------------------------------------------------------------------


async def post_with_applicant(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    intake: str,
    respondent: str,
    **fields: Any,
) -> httpx.Response:
    return await client.post(
        CASES,
        json=case_body(intake, respondent, applicants=[applicant(**fields)]),
        headers=headers,
    )


async def test_a_resident_id_with_a_wrong_check_digit_is_refused(
    client, coordinator, intake, respondent
):
    good = resident_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = await post_with_applicant(client, coordinator, intake, respondent, id_number=bad)
    assert field_errors(response) == {"applicants.0.id_number": "invalid_check_digit"}


@pytest.mark.parametrize("birth", ["19900230", "19901301", "18991231", "20990101"])
async def test_a_resident_id_with_an_impossible_birth_date_is_refused(
    client, coordinator, intake, respondent, birth
):
    first17 = f"371502{birth}123"
    number = first17 + resident_id_check_char(first17)
    response = await post_with_applicant(client, coordinator, intake, respondent, id_number=number)
    assert field_errors(response) == {"applicants.0.id_number": "invalid_birth_date"}


@pytest.mark.parametrize(
    "number", ["37150219900307123", "3715021990030712345", "37150219900307123Y"]
)
async def test_a_resident_id_of_the_wrong_shape_is_refused(
    client, coordinator, intake, respondent, number
):
    response = await post_with_applicant(client, coordinator, intake, respondent, id_number=number)
    assert "applicants.0.id_number" in field_errors(response)


async def test_an_old_address_code_is_accepted(client, coordinator, intake, respondent):
    # 茌平 was 371523 before it became 371503: the address code is not checked against a list.
    number = resident_id(region="371523")
    response = await post_with_applicant(client, coordinator, intake, respondent, id_number=number)
    assert response.status_code == 201, response.text


async def test_a_lower_case_x_is_normalised_to_upper_case(client, coordinator, intake, respondent):
    number = resident_id(check="X")
    response = await post_with_applicant(
        client, coordinator, intake, respondent, id_number=number.lower()
    )
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["applicants"][0]["id_number"].endswith("X")
    revealed = await client.get(
        f"{CASES}/{case['id']}", params={"reveal": "pii"}, headers=coordinator
    )
    assert revealed.status_code == 200, revealed.text
    assert revealed.json()["applicants"][0]["id_number"] == number


async def test_a_legal_person_needs_a_valid_credit_code(client, coordinator, intake, respondent):
    code = credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    refused = await client.post(
        CASES,
        json=case_body(intake, respondent, applicants=[legal_person(id_number=wrong)]),
        headers=coordinator,
    )
    assert set(field_errors(refused)) == {"applicants.0.id_number"}
    accepted = await client.post(
        CASES,
        json=case_body(intake, respondent, applicants=[legal_person(id_number=code.lower())]),
        headers=coordinator,
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["applicants"][0]["kind"] == "legal_person"
    assert accepted.json()["applicants"][0]["id_type"] == "credit_code"


async def test_a_resident_id_sent_as_a_credit_code_is_refused(
    client, coordinator, intake, respondent
):
    # About one resident ID in 31 also carries a valid GB 32100 check character: pick one
    # that does not, so that the test says the same thing on every run.
    number = resident_id()
    while _is_credit_code(number):
        number = resident_id()
    response = await client.post(
        CASES,
        json=case_body(intake, respondent, applicants=[legal_person(id_number=number)]),
        headers=coordinator,
    )
    assert "applicants.0.id_number" in field_errors(response)


def _is_credit_code(number: str) -> bool:
    try:
        normalize_credit_code(number)
    except InvalidIdentifier:
        return False
    return True


@pytest.mark.parametrize(
    "phone", ["12912345678", "1381234567", "138123456789", "8123456", "phone", "0635-12"]
)
async def test_a_phone_that_is_neither_mobile_nor_fixed_line_is_refused(
    client, coordinator, intake, respondent, phone
):
    response = await post_with_applicant(client, coordinator, intake, respondent, phone=phone)
    assert "applicants.0.phone" in field_errors(response)


@pytest.mark.parametrize("phone", ["13912345678", "0635-8123456", "010-62345678"])
async def test_mobiles_and_fixed_lines_with_area_code_are_accepted(
    client, coordinator, intake, respondent, phone
):
    response = await post_with_applicant(client, coordinator, intake, respondent, phone=phone)
    assert response.status_code == 201, response.text


async def test_a_phone_is_optional(client, coordinator, intake, respondent):
    response = await post_with_applicant(client, coordinator, intake, respondent, phone=None)
    assert response.status_code == 201, response.text
    assert response.json()["applicants"][0]["phone"] is None


@pytest.mark.parametrize("count", [0, 201])
async def test_between_1_and_200_applicants(client, coordinator, intake, respondent, count):
    body = case_body(intake, respondent, applicants=[applicant() for _ in range(count)])
    response = await client.post(CASES, json=body, headers=coordinator)
    assert "applicants" in field_errors(response)


async def test_200_applicants_are_accepted(client, coordinator, intake, respondent):
    body = case_body(intake, respondent, applicants=[applicant() for _ in range(200)])
    case = await create_case(client, coordinator, body)
    assert case["applicant_count"] == 200
    assert len(case["applicants"]) == 200


@pytest.mark.parametrize(("field", "limit"), [("title", 200), ("facts", 20_000), ("claims", 5_000)])
async def test_text_lengths(client, coordinator, intake, respondent, field, limit):
    at_limit = await client.post(
        CASES, json=case_body(intake, respondent, **{field: "争" * limit}), headers=coordinator
    )
    assert at_limit.status_code == 201, at_limit.text
    over = await client.post(
        CASES,
        json=case_body(intake, respondent, **{field: "争" * (limit + 1)}),
        headers=coordinator,
    )
    assert field_errors(over) == {field: "string_too_long"}


@pytest.mark.parametrize("field", ["title", "facts", "claims"])
async def test_blank_texts_are_refused(client, coordinator, intake, respondent, field):
    response = await client.post(
        CASES, json=case_body(intake, respondent, **{field: "   "}), headers=coordinator
    )
    assert field in field_errors(response)


@pytest.mark.parametrize("missing", ["channel", "applicants", "respondent_agency_id", "act"])
async def test_required_fields(client, coordinator, intake, respondent, missing):
    body = case_body(intake, respondent)
    del body[missing]
    assert field_errors(await client.post(CASES, json=body, headers=coordinator)) == {
        missing: "missing"
    }


async def test_an_unknown_channel_is_refused(client, coordinator, intake, respondent):
    response = await client.post(
        CASES, json=case_body(intake, respondent, channel="email"), headers=coordinator
    )
    assert "channel" in field_errors(response)


async def test_the_respondent_must_be_an_administrative_organ(client, coordinator, intake, center):
    response = await client.post(CASES, json=case_body(intake, center), headers=coordinator)
    assert field_errors(response) == {"respondent_agency_id": "respondent_not_administrative_organ"}


async def test_the_judicial_bureau_can_be_the_respondent(
    client, coordinator, intake, justice_bureau
):
    response = await client.post(CASES, json=case_body(intake, justice_bureau), headers=coordinator)
    assert response.status_code == 201, response.text
    assert response.json()["respondent_agency_id"] == justice_bureau


async def test_an_unknown_respondent_or_intake_agency_is_refused(
    client, coordinator, intake, respondent
):
    unknown = "01a22250-49b8-75d1-bfdb-000000000000"
    response = await client.post(CASES, json=case_body(intake, unknown), headers=coordinator)
    assert "respondent_agency_id" in field_errors(response)
    response = await client.post(CASES, json=case_body(unknown, respondent), headers=coordinator)
    assert "intake_agency_id" in field_errors(response)


async def test_a_coordinator_must_name_the_intake_agency(client, coordinator, respondent):
    response = await client.post(CASES, json=case_body(None, respondent), headers=coordinator)
    assert "intake_agency_id" in field_errors(response)


async def test_received_at_in_the_future_is_refused(client, coordinator, intake, respondent):
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = await client.post(
        CASES, json=case_body(intake, respondent, received_at=future), headers=coordinator
    )
    assert field_errors(response) == {"received_at": "in_future"}


async def test_received_at_needs_a_time_zone(client, coordinator, intake, respondent):
    response = await client.post(
        CASES,
        json=case_body(intake, respondent, received_at="2026-03-01T09:00:00"),
        headers=coordinator,
    )
    assert "received_at" in field_errors(response)


@pytest.mark.parametrize("field", ["made_on", "known_on"])
async def test_act_dates_in_the_future_are_refused(client, coordinator, intake, respondent, field):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    act = {"type": "administrative_penalty", "made_on": days_ago(10), field: tomorrow}
    if field == "made_on":
        act.pop("known_on", None)
    response = await client.post(
        CASES, json=case_body(intake, respondent, act=act), headers=coordinator
    )
    assert field_errors(response) == {f"act.{field}": "in_future"}


async def test_act_dates_today_are_accepted(client, coordinator, intake, respondent):
    act = {"type": "administrative_penalty", "made_on": days_ago(0), "known_on": days_ago(0)}
    response = await client.post(
        CASES, json=case_body(intake, respondent, act=act), headers=coordinator
    )
    assert response.status_code == 201, response.text


async def test_known_on_before_made_on_is_refused(client, coordinator, intake, respondent):
    act = {"type": "administrative_penalty", "made_on": days_ago(10), "known_on": days_ago(11)}
    response = await client.post(
        CASES, json=case_body(intake, respondent, act=act), headers=coordinator
    )
    body = assert_problem(response, 422)
    assert [e["code"] for e in body["errors"]] == ["known_before_made"]
    assert body["errors"][0]["field"].startswith("act")


async def test_malformed_json_is_a_400(client, coordinator):
    response = await client.post(
        CASES,
        content=b'{"channel": "petition",',
        headers={**coordinator, "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed_json")


# --- external references and related procedures ---------------------------------------------


async def test_a_second_intake_of_the_same_external_record_names_the_existing_case(
    client, coordinator, admin, intake, respondent
):
    ref = {"system": "xinfang", "id": "XF-2026-000123"}
    first = await create_case(client, coordinator, case_body(intake, respondent, external_ref=ref))
    assert first["external_ref"] == ref
    again = await client.post(
        CASES, json=case_body(intake, respondent, external_ref=ref), headers=admin
    )
    body = assert_problem(again, 409, "duplicate_external_ref")
    assert body["existing_case_id"] == first["id"]
    assert body["existing_case_no"] == first["case_no"]
    assert first["case_no"] in body["detail"]


async def test_external_references_are_unique_per_system(client, coordinator, intake, respondent):
    first = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, external_ref={"system": "xinfang", "id": "R-1"}),
    )
    other_system = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, external_ref={"system": "12345-hotline", "id": "R-1"}),
    )
    assert other_system["id"] != first["id"]
    assert other_system["external_ref"] == {"system": "12345-hotline", "id": "R-1"}


async def test_related_procedures_are_stored(client, coordinator, intake, respondent):
    procedures = [
        {"kind": "petition", "number": "XF-2026-88", "authority": "聊城市信访局"},
        {"kind": "litigation", "number": "(2026)鲁1502行初12号", "authority": "东昌府区人民法院"},
        {"kind": "reconsideration", "number": None, "authority": None},
    ]
    case = await create_case(
        client, coordinator, case_body(intake, respondent, related_procedures=procedures)
    )
    assert case["related_procedures"] == procedures
    read = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert read["related_procedures"] == procedures


async def test_an_unknown_related_procedure_kind_is_refused(
    client, coordinator, intake, respondent
):
    response = await client.post(
        CASES,
        json=case_body(intake, respondent, related_procedures=[{"kind": "arbitration"}]),
        headers=coordinator,
    )
    assert "related_procedures.0.kind" in field_errors(response)


# --- collective -------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "collective"), [(4, False), (5, True), (12, True)])
async def test_collective_from_five_applicants_with_high_priority(
    client, coordinator, intake, respondent, count, collective
):
    body = case_body(intake, respondent, applicants=[applicant() for _ in range(count)])
    case = await create_case(client, coordinator, body)
    assert case["applicant_count"] == count
    assert case["collective"] is collective
    assert case["priority"] == ("high" if collective else "normal")


# --- deadlines ----------------------------------------------------------------------------


def next_working_day(day: date) -> date:
    calendar = default_calendar()
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


async def test_deadlines_have_the_spec_shape(client, coordinator, intake, respondent):
    case = await create_case(client, coordinator, case_body(intake, respondent))
    deadlines = case["deadlines"]
    assert set(deadlines) == {
        "reconsideration",
        "litigation",
        "litigation_outer_limit",
        "warning",
        "calendar_complete",
        "notes",
    }
    for name in ("reconsideration", "litigation", "litigation_outer_limit"):
        entry = deadlines[name]
        assert set(entry) == {"due_on", "days_left", "basis", "provisional"}
        assert date.fromisoformat(entry["due_on"])
        assert entry["days_left"] == (date.fromisoformat(entry["due_on"]) - today()).days
        assert entry["basis"]
    assert "行政复议法" in deadlines["reconsideration"]["basis"]
    assert "行政诉讼法" in deadlines["litigation"]["basis"]
    assert "第四十六条" in deadlines["litigation_outer_limit"]["basis"]


async def test_deadline_values_in_a_year_with_holiday_data(client, coordinator, intake, respondent):
    # Known on 2022-03-01: day 60 is Saturday 30 April 2022, the first day of the Labour Day
    # holiday (30 April – 4 May), so the period ends on Thursday 5 May. Six months end on
    # Thursday 1 September 2022, a working day.
    body = case_body(
        intake,
        respondent,
        received_at="2022-03-10T09:00:00+08:00",
        act={"type": "administrative_license", "known_on": "2022-03-01"},
    )
    deadlines = (await create_case(client, coordinator, body))["deadlines"]
    assert deadlines["reconsideration"]["due_on"] == "2022-05-05"
    assert deadlines["reconsideration"]["days_left"] == (date(2022, 5, 5) - today()).days
    assert deadlines["reconsideration"]["days_left"] < 0
    assert "第二十条" in deadlines["reconsideration"]["basis"]
    assert deadlines["litigation"]["due_on"] == "2022-09-01"
    assert "第四十六条" in deadlines["litigation"]["basis"]
    # No made_on: no outer limit can be computed.
    assert deadlines["litigation_outer_limit"] is None
    # Both remedies are lost: nothing left to warn about.
    assert deadlines["warning"] is False
    assert deadlines["calendar_complete"] is True


async def test_the_outer_limit_is_5_years_or_20_for_real_property(
    client, coordinator, intake, respondent
):
    dates = {"made_on": "2022-06-15", "known_on": "2022-06-20"}
    other = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, act={"type": "administrative_license", **dates}),
    )
    land = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, act={"type": "administrative_license", **dates,
                                           "real_property": True}),
    )  # fmt: skip
    # Expropriation concerns land and houses: real property unless said otherwise.
    taken = await create_case(
        client, coordinator, case_body(intake, respondent, act={"type": "expropriation", **dates})
    )
    five = other["deadlines"]["litigation_outer_limit"]
    twenty = land["deadlines"]["litigation_outer_limit"]
    assert date.fromisoformat(five["due_on"]) >= date(2027, 6, 15)
    assert date.fromisoformat(five["due_on"]) <= date(2027, 6, 21)
    assert date.fromisoformat(twenty["due_on"]) >= date(2042, 6, 15)
    assert date.fromisoformat(twenty["due_on"]) <= date(2042, 6, 21)
    assert "二十年" in twenty["basis"]
    assert land["act"]["real_property"] is True
    assert other["act"]["real_property"] is False
    assert taken["act"]["real_property"] is True
    assert taken["deadlines"]["litigation_outer_limit"] == twenty
    # Provisional exactly when the year has no calendar loaded (2042 certainly has none; 2027
    # is loaded once its notice is published, so the test asks rather than assumes).
    loaded_2027 = (await client.get("/api/v1/calendar/2027", headers=coordinator)).status_code
    assert five["provisional"] is (loaded_2027 == 404)
    assert twenty["provisional"] is True
    assert land["deadlines"]["calendar_complete"] is False


async def test_a_reconsideration_deadline_within_15_days_warns(
    client, coordinator, intake, respondent
):
    # Learned of 55 days ago: day 60 is 5 days away, at most 13 after rolling past a holiday.
    act = {"type": "administrative_penalty", "made_on": days_ago(56), "known_on": days_ago(55)}
    case = await create_case(client, coordinator, case_body(intake, respondent, act=act))
    deadlines = case["deadlines"]
    expected = next_working_day(today() + timedelta(days=5))
    assert deadlines["reconsideration"]["due_on"] == expected.isoformat()
    assert 0 <= deadlines["reconsideration"]["days_left"] <= 15
    assert deadlines["litigation"]["days_left"] > 15
    assert deadlines["warning"] is True


async def test_no_warning_when_every_deadline_is_far_away(client, coordinator, intake, respondent):
    act = {"type": "administrative_penalty", "made_on": days_ago(2), "known_on": days_ago(1)}
    case = await create_case(client, coordinator, case_body(intake, respondent, act=act))
    deadlines = case["deadlines"]
    assert deadlines["reconsideration"]["days_left"] >= 59
    assert deadlines["warning"] is False


async def test_deadlines_are_estimated_from_made_on_without_known_on(
    client, coordinator, intake, respondent
):
    act = {"type": "administrative_penalty", "made_on": days_ago(3)}
    case = await create_case(client, coordinator, case_body(intake, respondent, act=act))
    reconsideration = case["deadlines"]["reconsideration"]
    assert reconsideration is not None
    expected = next_working_day(today() + timedelta(days=57))
    assert reconsideration["due_on"] == expected.isoformat()


async def test_no_dates_no_deadlines(client, coordinator, intake, respondent):
    case = await create_case(
        client, coordinator, case_body(intake, respondent, act={"type": "inaction"})
    )
    deadlines = case["deadlines"]
    assert deadlines["reconsideration"] is None
    assert deadlines["litigation"] is None
    assert deadlines["litigation_outer_limit"] is None
    assert deadlines["warning"] is False


async def test_deadlines_notified_at_is_recorded(client, coordinator, intake, respondent):
    notified = "2026-03-02T10:00:00+08:00"
    case = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, deadlines_notified_at=notified),
    )
    assert datetime.fromisoformat(case["deadlines_notified_at"]) == datetime.fromisoformat(notified)


# --- possible duplicates --------------------------------------------------------------------


async def test_possible_duplicates_list_an_earlier_case_of_the_same_applicant_and_respondent(
    client, coordinator, intake, respondent, bystander
):
    person = applicant()
    earlier = await create_case(
        client, coordinator, case_body(intake, respondent, applicants=[person])
    )
    # The same person against another respondent is not a repeat of that case.
    elsewhere = await create_case(
        client, coordinator, case_body(intake, bystander, applicants=[dict(person)])
    )
    assert elsewhere["possible_duplicates"] == []
    # Another person against the same respondent is not either.
    stranger = await create_case(client, coordinator, case_body(intake, respondent))
    assert stranger["possible_duplicates"] == []
    # The person again, among others, with the number in lower case where it can be.
    repeat = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, applicants=[applicant(), dict(person)], channel="visit"),
    )
    duplicates = repeat["possible_duplicates"]
    assert [d["id"] for d in duplicates] == [earlier["id"]]
    assert duplicates[0]["case_no"] == earlier["case_no"]
    assert duplicates[0]["status"] == "received"
    # Intake is not refused, and the earlier case shows the repeat too.
    again = (await client.get(f"{CASES}/{earlier['id']}", headers=coordinator)).json()
    assert [d["id"] for d in again["possible_duplicates"]] == [repeat["id"]]


async def test_a_lower_case_x_matches_the_same_applicant(client, coordinator, intake, respondent):
    number = resident_id(check="X")
    earlier = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, applicants=[applicant(id_number=number)]),
    )
    repeat = await create_case(
        client,
        coordinator,
        case_body(intake, respondent, applicants=[applicant(id_number=number.lower())]),
    )
    assert [d["id"] for d in repeat["possible_duplicates"]] == [earlier["id"]]


async def close_out_of_scope(client, headers, case_id: str) -> None:
    response = await classify(client, headers, case_id, not_met_body())
    assert response.status_code == 200, response.text


async def test_a_closed_case_counts_as_a_duplicate_only_within_the_window(
    client, coordinator, intake, respondent
):
    person = applicant()

    def earlier_body(received: datetime) -> dict[str, Any]:
        return case_body(
            intake,
            respondent,
            applicants=[dict(person)],
            received_at=received.isoformat(),
            act={"type": "other", "made_on": (received - timedelta(days=3)).date().isoformat()},
        )

    now = datetime.now(UTC)
    recent = await create_case(client, coordinator, earlier_body(now - timedelta(days=30)))
    old = await create_case(client, coordinator, earlier_body(now - timedelta(days=200)))
    await close_out_of_scope(client, coordinator, recent["id"])
    await close_out_of_scope(client, coordinator, old["id"])
    repeat = await create_case(
        client, coordinator, case_body(intake, respondent, applicants=[dict(person)])
    )
    assert [d["id"] for d in repeat["possible_duplicates"]] == [recent["id"]]
    assert repeat["possible_duplicates"][0]["status"] == "closed"
    # A read applies the same window (on PostgreSQL in the case's own statement).
    read = (await client.get(f"{CASES}/{repeat['id']}", headers=coordinator)).json()
    assert [d["id"] for d in read["possible_duplicates"]] == [recent["id"]]


async def test_possible_duplicates_name_only_cases_the_reader_may_see(
    client, coordinator, officer_of, organs, respondent
):
    """SPEC 4.2: an agency officer sees its own agency's cases only; another agency's case
    about the same citizen must not be disclosed through possible_duplicates."""
    first_intake, second_intake = str(organs[5]["id"]), str(organs[6]["id"])
    person = applicant()
    hidden = await create_case(
        client, coordinator, case_body(first_intake, respondent, applicants=[dict(person)])
    )
    mine = await create_case(
        client, officer_of(second_intake), case_body(None, respondent, applicants=[dict(person)])
    )
    assert_problem(
        await client.get(f"{CASES}/{hidden['id']}", headers=officer_of(second_intake)), 404
    )
    read = await client.get(f"{CASES}/{mine['id']}", headers=officer_of(second_intake))
    assert read.status_code == 200
    assert hidden["id"] not in read.text
    assert hidden["case_no"] not in read.text
    assert hidden["id"] not in json.dumps(mine)
    # The coordinator, who sees both, is shown the repeat.
    full = (await client.get(f"{CASES}/{mine['id']}", headers=coordinator)).json()
    assert [d["id"] for d in full["possible_duplicates"]] == [hidden["id"]]
