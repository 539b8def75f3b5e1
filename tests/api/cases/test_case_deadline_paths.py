"""The deadline paths through the API (SPEC 2.5): the act's new facts are stored and shown,
bad dates are refused naming the field with nothing stored, and a deadline notice recounts
the periods that run from being told. Expected dates are derived from the service's own
calendar (read through the API), so the tests hold on any date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.cases import legal_basis as law
from app.domain.common.periods import add_days, add_months, add_years
from tests.support.calendar import api_calendar
from tests.support.factories import (
    case_body,
    classify,
    create_case,
    days_ago,
    field_errors,
    not_met_body,
    today,
)
from tests.support.problems import assert_problem

CASES = "/api/v1/cases"


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


async def case_count(client, headers) -> int:
    response = await client.get(CASES, params={"limit": 200}, headers=headers)
    assert response.status_code == 200
    return len(response.json()["items"])


async def test_inaction_counts_from_the_organs_time_and_comes_to_reconsideration_first(
    client, coordinator, admin, intake, respondent
):
    applied = today() - timedelta(days=70)
    act = {"type": "inaction", "applied_on": applied.isoformat()}
    case = await create_case(client, coordinator, case_body(intake, respondent, act=act))
    assert case["act"]["applied_on"] == applied.isoformat()
    assert case["act"]["reconsideration_first"] is True
    assert case["act"]["remedy_notice_given"] is True
    deadlines = case["deadlines"]
    # 复议法实施条例 art. 16(1)(2): 60 days after the application, then 60 days.
    organ_end = applied + timedelta(days=60)
    calendar = await api_calendar(client, admin, range(applied.year, applied.year + 2))
    expected = add_days(organ_end, 60, calendar).due_on
    assert deadlines["reconsideration"]["due_on"] == expected.isoformat()
    assert "第十六条" in deadlines["reconsideration"]["basis"]
    # Reconsideration first: no litigation deadline runs from the act.
    assert deadlines["litigation"] is None
    assert deadlines["litigation_outer_limit"] is None
    assert law.NOTE_RECONSIDERATION_FIRST in deadlines["notes"]


async def test_inaction_with_a_time_to_act_and_litigation_open(
    client, coordinator, admin, intake, respondent
):
    due = today() - timedelta(days=10)
    act = {
        "type": "inaction",
        "applied_on": days_ago(40),
        "performance_due_on": due.isoformat(),
        "reconsideration_first": False,
    }
    case = await create_case(client, coordinator, case_body(intake, respondent, act=act))
    calendar = await api_calendar(client, admin, range(due.year, due.year + 2))
    litigation = case["deadlines"]["litigation"]
    assert litigation["due_on"] == add_months(due, 6, calendar).due_on.isoformat()
    assert "第六十六条" in litigation["basis"]
    assert case["act"]["reconsideration_first"] is False


async def test_after_a_reconsideration_decision_15_days_to_sue(
    client, coordinator, admin, intake, respondent
):
    received = today() - timedelta(days=3)
    procedures = [
        {
            "kind": "reconsideration",
            "number": "聊政复决字〔2026〕3号",
            "decided_on": days_ago(6),
            "decision_received_on": received.isoformat(),
        }
    ]
    case = await create_case(
        client, coordinator, case_body(intake, respondent, related_procedures=procedures)
    )
    calendar = await api_calendar(client, admin, range(received.year, received.year + 2))
    deadlines = case["deadlines"]
    assert deadlines["reconsideration"] is None
    due = add_days(received, 15, calendar).due_on
    assert deadlines["litigation"]["due_on"] == due.isoformat()
    assert "第四十五条" in deadlines["litigation"]["basis"]
    # 12 days ahead, later only when rolled past a holiday.
    assert deadlines["warning"] is ((due - today()).days <= 15)
    assert case["related_procedures"] == procedures


async def test_refused_disclosure_comes_to_reconsideration_first(
    client, coordinator, intake, respondent
):
    act = {"type": "information_disclosure", "refused": True, "known_on": days_ago(5)}
    case = await create_case(client, coordinator, case_body(intake, respondent, act=act))
    assert case["act"]["reconsideration_first"] is True
    assert case["act"]["refused"] is True
    assert case["deadlines"]["litigation"] is None
    assert case["deadlines"]["reconsideration"] is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"act": {"type": "inaction", "applied_on": days_ago(10),
                  "performance_due_on": days_ago(11)}}, "act.performance_due_on"),
        ({"act": {"type": "inaction", "applied_on": in_days(1)}}, "act.applied_on"),
        ({"related_procedures": [{"kind": "reconsideration", "decided_on": days_ago(5),
                                  "decision_received_on": days_ago(6)}]},
         "related_procedures.0.decision_received_on"),
        ({"related_procedures": [{"kind": "reconsideration", "decided_on": in_days(2)}]},
         "related_procedures.0.decided_on"),
        ({"related_procedures": [{"kind": "reconsideration", "decided_on": days_ago(5),
                                  "decision_received_on": in_days(1)}]},
         "related_procedures.0.decision_received_on"),
        ({"act": {"type": "administrative_penalty", "remedy_notice_given": "perhaps"}},
         "act.remedy_notice_given"),
    ],
)  # fmt: skip
async def test_bad_dates_are_422_naming_the_field_and_nothing_is_stored(
    client, coordinator, intake, respondent, changes, field
):
    before = await case_count(client, coordinator)
    response = await client.post(
        CASES, json=case_body(intake, respondent, **changes), headers=coordinator
    )
    assert_problem(response, 422)
    assert field in field_errors(response)
    assert await case_count(client, coordinator) == before


# --- the remedy never explained, and the center's notice ------------------------------------


async def test_a_deadline_notice_recounts_the_periods_and_the_filter(
    client, coordinator, admin, intake, respondent
):
    known = today() - timedelta(days=100)
    act = {
        "type": "administrative_penalty",
        "made_on": (known - timedelta(days=2)).isoformat(),
        "known_on": known.isoformat(),
        "remedy_notice_given": False,
    }
    case = await create_case(client, coordinator, case_body(intake, respondent, act=act))
    calendar = await api_calendar(client, admin, range(known.year, known.year + 3))
    cap = add_years(known, 1, calendar).due_on
    # Not told yet: the one-year cap is the due date of both.
    assert case["deadlines"]["reconsideration"]["due_on"] == cap.isoformat()
    assert case["deadlines"]["litigation"]["due_on"] == cap.isoformat()
    assert law.NOTE_NOT_TOLD in case["deadlines"]["notes"]
    assert case["deadlines"]["warning"] is False
    listed = await client.get(CASES, params={"deadline_warning": "true"}, headers=coordinator)
    assert case["id"] not in {c["id"] for c in listed.json()["items"]}

    # Told 58 days ago (on the telephone): 60 days from then end within days.
    told = today() - timedelta(days=58)
    notified_at = datetime(told.year, told.month, told.day, 2, 0, tzinfo=UTC).isoformat()
    response = await client.post(
        f"{CASES}/{case['id']}/deadline-notice",
        json={"notified_at": notified_at, "how": "phone"},
        headers=coordinator,
    )
    assert response.status_code == 200, response.text
    noticed = response.json()
    assert noticed["deadlines_notified_how"] == "phone"
    assert datetime.fromisoformat(noticed["deadlines_notified_at"]) == datetime.fromisoformat(
        notified_at
    )
    assert noticed["version"] == case["version"] + 1
    recon = noticed["deadlines"]["reconsideration"]
    expected = add_days(told, 60, calendar).due_on
    assert recon["due_on"] == expected.isoformat()
    assert "第二十条第三款" in recon["basis"]
    assert noticed["deadlines"]["litigation"]["due_on"] == (
        add_months(told, 6, calendar).due_on.isoformat()
    )
    assert noticed["deadlines"]["warning"] is True
    flagged = await client.get(CASES, params={"deadline_warning": "true"}, headers=coordinator)
    assert case["id"] in {c["id"] for c in flagged.json()["items"]}

    events = (await client.get(f"{CASES}/{case['id']}/events", headers=coordinator)).json()["items"]
    assert events[-1]["type"] == "deadlines_notified"
    assert events[-1]["data"]["how"] == "phone"
    audit = await client.get(
        "/api/v1/audit",
        params={"action": "case.deadline_notice", "object_id": case["id"]},
        headers=admin,
    )
    assert [r["changes"]["how"] for r in audit.json()["items"]] == ["phone"]


async def test_the_notice_is_the_centers(client, coordinator, admin, intake, respondent, auth,
                                         officer_of, bystander):  # fmt: skip
    case = await create_case(client, coordinator, case_body(intake, respondent))
    url = f"{CASES}/{case['id']}/deadline-notice"
    body = {"notified_at": datetime.now(UTC).isoformat(), "how": "in_person"}
    # The intake agency sees the case but may not record this: 403; a stranger: 404.
    assert_problem(await client.post(url, json=body, headers=officer_of(intake)), 403)
    assert_problem(await client.post(url, json=body, headers=officer_of(bystander)), 404)
    assert (await client.post(url, json=body, headers=admin)).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notified_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(), "how": "phone"},
         "notified_at"),
        ({"notified_at": "2026-12-01T10:00:00", "how": "phone"}, "notified_at"),
        ({"notified_at": "2026-12-01T10:00:00+08:00", "how": "pigeon"}, "how"),
        ({"how": "phone"}, "notified_at"),
    ],
)  # fmt: skip
async def test_bad_notices_are_422(client, coordinator, intake, respondent, body, field):
    case = await create_case(client, coordinator, case_body(intake, respondent))
    response = await client.post(
        f"{CASES}/{case['id']}/deadline-notice", json=body, headers=coordinator
    )
    assert_problem(response, 422)
    assert field in field_errors(response)
    read = (await client.get(f"{CASES}/{case['id']}", headers=coordinator)).json()
    assert read["deadlines_notified_at"] is None


async def test_no_notice_on_a_closed_case(client, coordinator, intake, respondent):
    case = await create_case(client, coordinator, case_body(intake, respondent))
    closed = await classify(client, coordinator, case["id"], not_met_body())
    assert closed.json()["status"] == "closed"
    response = await client.post(
        f"{CASES}/{case['id']}/deadline-notice",
        json={"notified_at": datetime.now(UTC).isoformat(), "how": "written"},
        headers=coordinator,
    )
    assert_problem(response, 409, "invalid_transition")
