from app.states.codes import Role


async def test_readyz_reports_ready_and_policy(client):
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["policy"]["covered"] is True


async def test_policy_needs_no_special_role(client, auth):
    response = await client.get("/api/v1/policy?on=2026-01-01", headers=auth(Role.LAWYER))
    assert response.status_code == 200
    assert response.json()["version"]["pool_max_per_agency"] == 2
