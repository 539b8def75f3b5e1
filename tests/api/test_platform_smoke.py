from app.states.codes import Role
from tests.support.clock import freeze_clock

# A day inside the seeded policy version (2022-02-01 to 2027-01-31), and one after it.
IN_THE_SEEDED_PERIOD = "2026-06-01T04:00:00+00:00"
AFTER_THE_SEEDED_PERIOD = "2027-03-01T04:00:00+00:00"


async def test_readyz_reports_ready_and_policy(client, monkeypatch):
    freeze_clock(monkeypatch, IN_THE_SEEDED_PERIOD)
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["policy"]["covered"] is True


async def test_readyz_reports_the_policy_covered_once_a_successor_is_added(
    client, auth, monkeypatch
):
    # After the seeded version ends, readiness says so until an admin adds the next version.
    freeze_clock(monkeypatch, AFTER_THE_SEEDED_PERIOD)
    assert (await client.get("/readyz")).json()["checks"]["policy"]["covered"] is False
    added = await client.post(
        "/api/v1/policy/versions",
        json={
            "effective_from": "2027-02-01",
            "pool_max_per_agency": 2,
            "pool_min_per_agency": 1,
            "deadline_warning_days": 15,
            "duplicate_window_days": 180,
            "collective_threshold": 5,
            "max_open_assignments": 5,
            "offer_response_hours": 48,
            "auto_redispatch": True,
            "basis": "聊城市公职律师参与行政争议化解工作实施办法(修订)",
        },
        headers=auth(Role.ADMIN),
    )
    assert added.status_code == 201, added.text
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    policy = response.json()["checks"]["policy"]
    assert policy["covered"] is True
    assert policy["effective_from"] == "2027-02-01"


async def test_policy_needs_no_special_role(client, auth):
    response = await client.get("/api/v1/policy?on=2026-01-01", headers=auth(Role.LAWYER))
    assert response.status_code == 200
    assert response.json()["version"]["pool_max_per_agency"] == 2
