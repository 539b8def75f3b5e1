"""Health, readiness, metrics and the reference endpoints (SPEC 3, 3.1)."""

from __future__ import annotations

import json
import re
import uuid
from importlib.resources import files

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from app.states.catalogue import ENUMS
from app.states.codes import Role
from tests.support.databases import become_owner
from tests.support.problems import assert_problem

CJK = re.compile(r"[\u4e00-\u9fff]")


# --- /healthz, /readyz ---------------------------------------------------------------------


async def test_healthz_answers_without_credentials(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_at_the_migration_head(client, app):
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    checks = body["checks"]
    assert checks["migration_current"] == checks["migration_head"] == app.state.migration_head
    assert checks["database"] in {"sqlite", "postgresql"}


async def test_readyz_is_503_when_the_schema_is_not_at_head(client, session):
    # Only the owner could do this (the service's role reads alembic_version only).
    await become_owner(await session.connection())
    await session.execute(text("UPDATE alembic_version SET version_num = 'an_old_revision'"))
    await session.flush()
    response = await client.get("/readyz")
    body = assert_problem(response, 503, "migrations_pending")
    assert body["checks"]["migration_current"] == "an_old_revision"
    assert "adr migrate" in body["detail"]


async def test_readyz_is_503_when_the_schema_was_never_migrated(client, session):
    await become_owner(await session.connection())
    await session.execute(text("DELETE FROM alembic_version"))
    await session.flush()
    response = await client.get("/readyz")
    body = assert_problem(response, 503, "migrations_pending")
    assert body["checks"]["migration_current"] is None


async def test_readyz_reports_when_no_policy_version_covers_today(client, session):
    # SPEC 2.10: the service keeps working on the latest version and says so in /readyz.
    await session.execute(text("UPDATE policy_versions SET effective_to = '2023-01-31'"))
    await session.flush()
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    policy = response.json()["checks"]["policy"]
    assert policy["covered"] is False
    assert policy["effective_to"] == "2023-01-31"


# --- /metrics -----------------------------------------------------------------------------


def _request_count(exposition: str, method: str, route: str, status: str) -> float:
    for family in text_string_to_metric_families(exposition):
        if family.name != "adr_http_requests":
            continue
        for sample in family.samples:
            labels = sample.labels
            if (
                sample.name == "adr_http_requests_total"
                and labels.get("method") == method
                and labels.get("route") == route
                and labels.get("status") == status
            ):
                return sample.value
    return 0.0


async def test_metrics_count_requests_by_route_template(client, auth):
    route = "/api/v1/api-keys/{key_id}"
    before = _request_count((await client.get("/metrics")).text, "DELETE", route, "404")
    missing = [uuid.uuid4() for _ in range(3)]
    for key_id in missing:
        response = await client.delete(f"/api/v1/api-keys/{key_id}", headers=auth(Role.ADMIN))
        assert response.status_code == 404
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    exposition = response.text
    assert _request_count(exposition, "DELETE", route, "404") == before + 3
    for key_id in missing:
        assert str(key_id) not in exposition  # never a raw path with its id
    assert "adr_http_request_duration_seconds_bucket" in exposition


async def test_metrics_do_not_grow_a_label_per_unknown_path(client):
    await client.get(f"/no/such/{uuid.uuid4()}")
    exposition = (await client.get("/metrics")).text
    assert "/no/such/" not in exposition
    assert _request_count(exposition, "GET", "unmatched", "404") >= 1


async def test_metrics_count_a_query_string_under_its_route(client, auth):
    before = _request_count((await client.get("/metrics")).text, "GET", "/api/v1/policy", "200")
    await client.get("/api/v1/policy?on=2024-05-01", headers=auth(Role.ADMIN))
    await client.get("/api/v1/policy?on=2025-05-01", headers=auth(Role.ADMIN))
    after = _request_count((await client.get("/metrics")).text, "GET", "/api/v1/policy", "200")
    assert after == before + 2


# --- /api/v1/meta/enums --------------------------------------------------------------------


async def test_enums_need_credentials(client):
    assert_problem(await client.get("/api/v1/meta/enums"), 401)


async def test_enums_list_every_enum_with_zh_cn_labels(client, auth):
    response = await client.get("/api/v1/meta/enums", headers=auth(Role.LAWYER))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == set(ENUMS)
    for name, enum_cls in ENUMS.items():
        assert [entry["code"] for entry in body[name]] == [m.value for m in enum_cls], name
        for entry in body[name]:
            assert set(entry) == {"code", "label_zh"}
            assert CJK.search(entry["label_zh"]), entry
    roles = {entry["code"]: entry["label_zh"] for entry in body["role"]}
    assert roles["admin"] == "系统管理员"
    assert roles["lawyer"] == "公职律师"


# --- /api/v1/business-systems -------------------------------------------------------------


async def test_business_systems_need_credentials(client):
    assert_problem(await client.get("/api/v1/business-systems"), 401)


@pytest.mark.parametrize("role", list(Role))
async def test_business_systems_are_the_seeded_list_in_order(client, auth, role):
    seed = json.loads((files("app.db") / "seed_data" / "business_systems.json").read_text("utf-8"))
    response = await client.get("/api/v1/business-systems", headers=auth(role))
    assert response.status_code == 200, response.text
    body = response.json()
    expected = sorted(seed, key=lambda item: (item["sort_order"], item["code"]))
    assert [(b["code"], b["label_zh"]) for b in body] == [
        (s["code"], s["label_zh"]) for s in expected
    ]
    assert all(b["active"] is True for b in body)


# --- caching ------------------------------------------------------------------------------


async def test_api_answers_are_never_stored_by_caches(client, auth):
    # SPEC 3: responses that may carry personal data send Cache-Control: no-store; every
    # /api answer is treated so, errors included.
    for response in (
        await client.get("/api/v1/policy", headers=auth(Role.ADMIN)),
        await client.get("/api/v1/policy"),
        await client.get("/api/v1/no-such-thing", headers=auth(Role.ADMIN)),
        await client.post(
            "/api/v1/api-keys", json={"name": "x", "role": "admin"}, headers=auth(Role.LAWYER)
        ),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.url
