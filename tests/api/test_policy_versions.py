"""The rules in force (SPEC 2.10, Art. 20): versions with an effective period, the latest one
applied (and said so) when none covers the date, new versions added by an admin."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.clock import today_shanghai
from app.states.codes import Role
from tests.support.problems import assert_problem

POLICY = "/api/v1/policy"
VERSIONS = "/api/v1/policy/versions"
MEASURES_FROM, MEASURES_TO = date(2022, 2, 1), date(2027, 1, 31)


def _version(starting: str, /, **changes: Any) -> dict[str, Any]:
    return {
        "effective_from": starting,
        "pool_max_per_agency": 3,
        "pool_min_per_agency": 1,
        "deadline_warning_days": 10,
        "duplicate_window_days": 90,
        "collective_threshold": 6,
        "max_open_assignments": 4,
        "offer_response_hours": 24,
        "auto_redispatch": False,
        "basis": "聊城市公职律师参与行政争议化解工作实施办法(修订)",
        **changes,
    }


async def _policy_on(client, auth, on: str) -> dict[str, Any]:
    response = await client.get(POLICY, params={"on": on}, headers=auth(Role.LAWYER))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_seeded_version_carries_the_measures_defaults(client, auth):
    body = await _policy_on(client, auth, "2023-05-01")
    assert body["on"] == "2023-05-01"
    assert body["covered"] is True
    assert body["warning"] is None
    version = body["version"]
    assert (version["effective_from"], version["effective_to"]) == ("2022-02-01", "2027-01-31")
    assert {k: version[k] for k in _version("x") if k not in {"effective_from", "basis"}} == {
        "pool_max_per_agency": 2,
        "pool_min_per_agency": 1,
        "deadline_warning_days": 15,
        "duplicate_window_days": 180,
        "collective_threshold": 5,
        "max_open_assignments": 5,
        "offer_response_hours": 48,
        "auto_redispatch": True,
    }


@pytest.mark.parametrize("on", ["2022-02-01", "2027-01-31"])
async def test_both_ends_of_the_period_are_covered(client, auth, on):
    assert (await _policy_on(client, auth, on))["covered"] is True


async def test_the_default_date_is_today_in_shanghai(client, auth):
    response = await client.get(POLICY, headers=auth(Role.CENTER_COORDINATOR))
    assert response.status_code == 200
    body = response.json()
    today = today_shanghai()
    assert body["on"] == today.isoformat()
    assert body["covered"] is (MEASURES_FROM <= today <= MEASURES_TO)


@pytest.mark.parametrize("on", ["2027-02-01", "2031-06-30"])
async def test_after_the_last_version_the_latest_applies_with_a_warning(client, auth, on):
    body = await _policy_on(client, auth, on)
    assert body["covered"] is False
    assert on in body["warning"]
    assert body["version"]["effective_from"] == "2022-02-01"
    assert body["version"]["pool_max_per_agency"] == 2


async def test_before_the_first_version_the_service_says_it_is_not_covered(client, auth):
    body = await _policy_on(client, auth, "2021-12-31")
    assert body["covered"] is False
    assert body["warning"]


async def test_reading_needs_credentials(client):
    assert_problem(await client.get(POLICY), 401)


# A number is not a date, although Pydantic would read it as a Unix time (0 → 1970-01-01).
@pytest.mark.parametrize("on", ["2023-02-30", "0", "20240101", "1700000000", "2024/01/01", ""])
async def test_the_date_must_be_an_iso_date(client, auth, on):
    response = await client.get(POLICY, params={"on": on}, headers=auth(Role.ADMIN))
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["query.on"]


# --- adding versions ------------------------------------------------------------------------


async def test_admin_adds_a_version_that_follows_the_last_one(client, auth):
    response = await client.post(VERSIONS, json=_version("2027-02-01"), headers=auth(Role.ADMIN))
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"{POLICY}?on=2027-02-01"
    assert created["effective_from"] == "2027-02-01"
    assert created["effective_to"] is None
    assert created["pool_max_per_agency"] == 3
    # The measures' version is untouched (it already ended the day before)…
    old = await _policy_on(client, auth, "2027-01-31")
    assert old["version"]["effective_to"] == "2027-01-31"
    assert old["version"]["pool_max_per_agency"] == 2
    # …and the new one covers every later day.
    for on in ("2027-02-01", "2035-12-31"):
        body = await _policy_on(client, auth, on)
        assert body["covered"] is True
        assert body["version"]["id"] == created["id"]


async def test_a_version_starting_early_ends_the_previous_one_the_day_before(client, auth):
    response = await client.post(
        VERSIONS, json=_version("2026-07-01", effective_to="2029-12-31"), headers=auth(Role.ADMIN)
    )
    assert response.status_code == 201, response.text
    before = await _policy_on(client, auth, "2026-06-30")
    assert before["version"]["effective_from"] == "2022-02-01"
    assert before["version"]["effective_to"] == "2026-06-30"
    after = await _policy_on(client, auth, "2026-07-01")
    assert after["version"]["effective_from"] == "2026-07-01"
    assert after["version"]["effective_to"] == "2029-12-31"
    assert after["version"]["pool_max_per_agency"] == 3
    # Exactly one version on every day around the switch.
    for offset in range(-3, 4):
        day = date(2026, 7, 1) + timedelta(days=offset)
        assert (await _policy_on(client, auth, day.isoformat()))["covered"] is True


@pytest.mark.parametrize("effective_from", ["2022-02-01", "2021-01-01", "2024-06-01"])
async def test_a_version_not_later_than_the_latest_is_409(client, auth, effective_from):
    if effective_from == "2024-06-01":
        # After one at 2025-01-01 exists, 2024-06-01 is no longer later than the latest.
        first = await client.post(VERSIONS, json=_version("2025-01-01"), headers=auth(Role.ADMIN))
        assert first.status_code == 201
    response = await client.post(VERSIONS, json=_version(effective_from), headers=auth(Role.ADMIN))
    assert_problem(response, 409, "policy_not_later")
    # Nothing changed.
    body = await _policy_on(client, auth, "2023-05-01")
    assert body["version"]["effective_from"] == "2022-02-01"


async def test_pool_min_above_pool_max_is_422_naming_the_field(client, auth):
    response = await client.post(
        VERSIONS,
        json=_version("2027-02-01", pool_min_per_agency=3, pool_max_per_agency=2),
        headers=auth(Role.ADMIN),
    )
    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["pool_min_per_agency"]


async def test_an_end_before_the_start_is_422_naming_the_field(client, auth):
    response = await client.post(
        VERSIONS,
        json=_version("2027-02-01", effective_to="2027-01-01"),
        headers=auth(Role.ADMIN),
    )
    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["effective_to"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pool_max_per_agency": 0}, "pool_max_per_agency"),
        ({"offer_response_hours": 10_000}, "offer_response_hours"),
        ({"basis": ""}, "basis"),
        ({"effective_from": "2027-13-01"}, "effective_from"),
        ({"auto_redispatch": "perhaps"}, "auto_redispatch"),
        ({"id": "00000000-0000-0000-0000-000000000000"}, "id"),
    ],
)
async def test_out_of_range_and_unknown_fields_are_422(client, auth, change, field):
    response = await client.post(
        VERSIONS, json=_version("2027-02-01", **change), headers=auth(Role.ADMIN)
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize(
    "role", [Role.SUPERVISOR, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER, Role.LAWYER]
)
async def test_only_an_admin_adds_versions(client, auth, role):
    response = await client.post(VERSIONS, json=_version("2027-02-01"), headers=auth(role))
    assert_problem(response, 403, "role_not_allowed")
    assert (await _policy_on(client, auth, "2027-02-01"))["covered"] is False


# --- expiry, gaps between versions, repeat_honour_threshold (SPEC 2.10) -----------------------


@pytest.mark.parametrize(
    ("on", "expires"),
    [
        ("2026-11-01", None),  # 91 days before the end: not yet said
        ("2026-11-02", 90),
        ("2027-01-30", 1),
        ("2027-01-31", 0),
        ("2027-02-10", -10),  # ended, no successor: applied, and said how long ago
    ],
)
async def test_expires_in_days_from_90_days_before_the_end(client, auth, on, expires):
    body = await _policy_on(client, auth, on)
    assert body["expires_in_days"] == expires
    assert (body["warning"] is None) is (expires is None)


async def test_a_successor_silences_the_expiry(client, auth):
    response = await client.post(VERSIONS, json=_version("2027-02-01"), headers=auth(Role.ADMIN))
    assert response.status_code == 201, response.text
    body = await _policy_on(client, auth, "2027-01-20")
    assert body["expires_in_days"] is None
    assert body["warning"] is None


async def test_a_date_between_two_versions_reads_the_earlier_one(client, auth):
    response = await client.post(
        VERSIONS, json=_version("2027-06-01", pool_max_per_agency=4), headers=auth(Role.ADMIN)
    )
    assert response.status_code == 201, response.text
    body = await _policy_on(client, auth, "2027-03-01")
    assert body["covered"] is False
    assert body["version"]["effective_from"] == "2022-02-01"
    assert body["version"]["pool_max_per_agency"] == 2
    assert "2022-02-01" in body["warning"]
    # The measures' version has a successor now: no expiry count.
    assert body["expires_in_days"] is None
    later = await _policy_on(client, auth, "2027-06-01")
    assert later["covered"] is True
    assert later["version"]["pool_max_per_agency"] == 4


async def test_readyz_says_how_many_days_are_left(client):
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    policy = response.json()["checks"]["policy"]
    left = (MEASURES_TO - today_shanghai()).days
    assert policy["expires_in_days"] == (left if left <= 90 else None)
    assert policy["covered"] is (today_shanghai() <= MEASURES_TO)


async def test_repeat_honour_threshold_is_a_numeric_rule(client, auth):
    assert (await _policy_on(client, auth, "2024-01-01"))["version"]["repeat_honour_threshold"] == 2
    default = await client.post(VERSIONS, json=_version("2027-02-01"), headers=auth(Role.ADMIN))
    assert default.json()["repeat_honour_threshold"] == 2
    chosen = await client.post(
        VERSIONS, json=_version("2028-02-01", repeat_honour_threshold=3), headers=auth(Role.ADMIN)
    )
    assert chosen.status_code == 201, chosen.text
    assert (await _policy_on(client, auth, "2028-03-01"))["version"]["repeat_honour_threshold"] == 3


@pytest.mark.parametrize("value", [0, 21, "two"])
async def test_repeat_honour_threshold_is_checked(client, auth, value):
    response = await client.post(
        VERSIONS,
        json=_version("2027-02-01", repeat_honour_threshold=value),
        headers=auth(Role.ADMIN),
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["repeat_honour_threshold"]
