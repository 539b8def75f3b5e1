"""Unique registry fields stay a 409 conflict when duplicates arrive at the same time on
several processes (PostgreSQL, committed database; see tests.support.app_cluster)."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import text

from app.settings import Settings
from app.states.codes import Role
from tests.support import databases
from tests.support.app_cluster import (
    Cluster,
    all_at_once,
    cluster,
    outcome,
)
from tests.support.factories import API, agency_body, lawyer_body

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
async def concurrency_url() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return await databases.prepare_database("adr_conc_registry_" + worker)


@pytest.fixture
def conc_settings(concurrency_url: str) -> Settings:
    return databases.test_settings(concurrency_url)


async def duplicates_at_once(c: Cluster, path: str, body: dict[str, Any], n: int) -> Counter[str]:
    """Send ``n`` identical creates so that every one has passed its duplicate check before
    the first commits: writes are stalled while the first request reaches its commit, then
    the others are sent and allowed to run until they finish or wait."""
    admin = c.headers(Role.ADMIN)
    async with c.stall_writes():
        first = asyncio.create_task(c.client(0).post(f"{API}{path}", json=body, headers=admin))

        async def first_waits() -> bool:
            return first.done() or await c.lock_waiters() >= 1

        await c.until(first_waits, "the first create waits to commit")
        others = [
            asyncio.create_task(c.client(i).post(f"{API}{path}", json=body, headers=admin))
            for i in range(1, n)
        ]

        async def all_done_or_waiting() -> bool:
            done = sum(t.done() for t in [first, *others])
            return done + await c.lock_waiters() >= n

        await c.until(all_done_or_waiting, "every create finishes or waits")
    responses = await asyncio.gather(first, *others)
    return Counter(outcome(r) for r in responses)


async def test_simultaneous_registrations_of_one_certificate_number_admit_one(conc_settings):
    """certificate_no is unique (409 on a duplicate), also when the duplicates arrive at once
    on different processes: a conflict, never a 500."""
    async with cluster(conc_settings, 3) as c:
        agency = await c.agency()
        outcomes = await duplicates_at_once(c, "/lawyers", lawyer_body(agency["id"]), 4)
        assert outcomes == {"201": 1, "409 duplicate_certificate_no": 3}, outcomes


async def test_simultaneous_registrations_of_one_agency_name_admit_one(conc_settings):
    async with cluster(conc_settings, 3) as c:
        outcomes = await duplicates_at_once(c, "/agencies", agency_body(), 4)
        assert outcomes == {"201": 1, "409 duplicate_agency_name": 3}, outcomes


async def test_parallel_registrations_of_one_certificate_number_never_store_two(conc_settings):
    """Whatever the answers, the database never holds the number twice."""
    async with cluster(conc_settings, 3) as c:
        agency = await c.agency()
        body = lawyer_body(agency["id"])
        admin = c.headers(Role.ADMIN)
        responses = await all_at_once(
            *(c.client(i).post(f"{API}/lawyers", json=body, headers=admin) for i in range(4))
        )
        assert sum(r.status_code == 201 for r in responses) == 1
        async with c.engine.connect() as conn:
            stored = await conn.execute(
                text("SELECT count(*) FROM lawyers WHERE certificate_no = :no"),
                {"no": body["certificate_no"]},
            )
            assert stored.scalar_one() == 1
