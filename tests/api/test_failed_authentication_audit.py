"""Anonymous traffic cannot grow the audit trail (SPEC 4.4): failed authentication is one
record per client address and minute with its count; refused authorisation stays one
record per refusal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.db.models import AuditRecord
from app.states.codes import Role
from tests.support.app_cluster import Cluster, cluster
from tests.support.audit import close_failure_minutes
from tests.support.databases import test_settings as settings_for
from tests.support.scratch import scratch_database

POLICY = "/api/v1/policy"


def _anonymous_requests(n: int) -> list[dict[str, str]]:
    """Every kind of failed authentication: none, a bad token, a made-up key."""
    kinds = [{}, {"Authorization": "Bearer not.a.jwt"}, {"X-API-Key": "adr_made-up"}]
    return [kinds[i % len(kinds)] for i in range(n)]


async def _audit_count(session: Any) -> int:
    return int((await session.execute(select(func.count()).select_from(AuditRecord))).scalar_one())


async def test_an_anonymous_flood_adds_at_most_a_couple_of_records(
    client, auth, db, settings, session
):
    before = await _audit_count(session)
    for headers in _anonymous_requests(60):
        assert (await client.get(POLICY, headers=headers)).status_code == 401
    # While the minute runs nothing is appended…
    assert await _audit_count(session) == before
    await close_failure_minutes(db, settings)
    records = (
        await client.get(
            "/api/v1/audit", params={"action": "auth.refused"}, headers=auth(Role.ADMIN)
        )
    ).json()["items"]
    # …then one record per address and minute (two if the flood straddled a minute).
    assert 1 <= len(records) <= 2
    assert sum(r["changes"]["count"] for r in records) == 60
    assert {r["client_address"] for r in records} == {"203.0.113.7"}
    assert all(r["outcome"] == "denied" and r["actor_sub"] is None for r in records)
    assert await _audit_count(session) - before <= 2


async def test_addresses_are_counted_apart(app, auth, db, settings):
    for address in ("198.51.100.21", "198.51.100.22"):
        transport = httpx.ASGITransport(app=app, client=(address, 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for _ in range(3):
                await client.get(POLICY)
    await close_failure_minutes(db, settings)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as reader:
        page = await reader.get(
            "/api/v1/audit", params={"action": "auth.refused"}, headers=auth(Role.ADMIN)
        )
    counts: dict[str, int] = {}
    for record in page.json()["items"]:
        address = record["client_address"]
        counts[address] = counts.get(address, 0) + record["changes"]["count"]
    assert counts == {"198.51.100.21": 3, "198.51.100.22": 3}


async def test_refused_authorisation_is_still_one_record_per_refusal(client, auth):
    lawyer = auth(Role.LAWYER, sub="lawyer-nosy")
    for _ in range(3):
        assert (await client.get("/api/v1/audit", headers=lawyer)).status_code == 403
    page = await client.get(
        "/api/v1/audit", params={"action": "authz.refused"}, headers=auth(Role.ADMIN)
    )
    records = page.json()["items"]
    assert len(records) == 3
    assert {r["actor_sub"] for r in records} == {"lawyer-nosy"}


# --- parallel failures on PostgreSQL ---------------------------------------------------------


@pytest.fixture
async def processes() -> AsyncIterator[Cluster]:
    """Three app instances (processes) on one committed database, every request from one
    address."""
    async with (
        scratch_database("authflood") as url,
        cluster(settings_for(url), 3, client_address=("198.51.100.99", 1), timeout=60) as c,
    ):
        yield c


@pytest.mark.postgres_only
async def test_parallel_failures_from_many_processes_lose_no_count(processes):
    responses = await asyncio.gather(
        *(
            processes.client(i).get(POLICY, headers=headers)
            for i, headers in enumerate(_anonymous_requests(90))
        )
    )
    assert {r.status_code for r in responses} == {401}
    app = processes.apps[0]
    await close_failure_minutes(app.state.db, app.state.settings)
    admin = processes.headers(Role.ADMIN, sub="root")
    page = await processes.client(0).get(
        "/api/v1/audit", params={"action": "auth.refused", "limit": 200}, headers=admin
    )
    records = page.json()["items"]
    assert 1 <= len(records) <= 2
    assert sum(r["changes"]["count"] for r in records) == 90
    report = await processes.client(1).get("/api/v1/audit/verify", headers=admin)
    assert report.json()["valid"] is True
