"""Text PostgreSQL cannot store (NUL) is the client's mistake: 422, never a 500."""

from app.states.codes import Role


async def test_nul_in_a_search_is_refused_not_a_server_error(client, auth):
    response = await client.get(
        "/api/v1/cases", params={"q": "补偿\x00款"}, headers=auth(Role.CENTER_COORDINATOR)
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("query.q", "invalid_characters")
    ]


async def test_nul_in_a_body_field_is_refused_naming_the_field(client, auth):
    response = await client.post(
        "/api/v1/api-keys",
        json={"name": "dispatch\x00system", "role": "center_coordinator"},
        headers=auth(Role.ADMIN),
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("name", "invalid_characters")
