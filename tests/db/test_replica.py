"""Statistics read from a streaming replica (SPEC 5) and fall back to the primary when the
replica does not answer. Needs a real replica of the test server: CI starts one (.ci/replica.sh)
and names it in ADR_TEST_REPLICA_URL; locally these tests are deselected without it."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.clock import today_shanghai
from app.db.replica import ReportReads, create_replica
from app.db.session import create_database
from app.domain.auth.tokens import mint_token
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.support.databases import TEST_SECRETS
from tests.support.factories import agencies_of_kind, case_body
from tests.support.scratch import scratch_database

pytestmark = [pytest.mark.postgres_only, pytest.mark.replica]
STATS = "/api/v1/statistics/cases"


def replica_server() -> str:
    url = os.environ.get("ADR_TEST_REPLICA_URL")
    if not url:
        pytest.fail("ADR_REQUIRE_REPLICA is set but ADR_TEST_REPLICA_URL names no replica")
    return url


def same_database_on(server: str, database_url: str) -> str:
    return (
        make_url(server)
        .set(database=make_url(database_url).database)
        .render_as_string(hide_password=False)
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def caught_up(primary_url: str, replica_url: str) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    primary = await asyncpg.connect(plain(primary_url))
    replica = await asyncpg.connect(plain(replica_url))
    try:
        target = await primary.fetchval("SELECT pg_current_wal_lsn()")
        for _ in range(600):
            if await replica.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the replica did not catch up within 30 s")
    finally:
        await primary.close()
        await replica.close()


@pytest.fixture
async def primary_url() -> AsyncIterator[str]:
    async with scratch_database("replica") as url:
        yield url


def settings_for(primary_url: str, replica_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=primary_url,
        database_replica_url=replica_url,
        replica_connect_timeout_s=1.0,
        **TEST_SECRETS,  # type: ignore[arg-type]
    )


async def received_this_year(settings: Settings, intake: bool) -> tuple[httpx.Response, Any]:
    """(the statistics response, the app) after one intake through the app when asked."""
    app = create_app(settings)
    token = mint_token(settings, sub="coordinator", role=Role.CENTER_COORDINATOR)
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        if intake:
            [organ, *_] = await agencies_of_kind(client, headers, "administrative_organ")
            created = await client.post(
                "/api/v1/cases", json=case_body(organ["id"], organ["id"]), headers=headers
            )
            assert created.status_code == 201, created.text
            await caught_up(settings.database_url, settings.database_replica_url or "")
        response = await client.get(STATS, params={"year": today_shanghai().year}, headers=headers)
    return response, app


async def test_statistics_are_read_from_the_replica_once_it_has_caught_up(primary_url):
    replica_url = same_database_on(replica_server(), primary_url)
    settings = settings_for(primary_url, replica_url)
    response, app = await received_this_year(settings, intake=True)
    try:
        assert response.status_code == 200, response.text
        assert response.headers["Read-Source"] == "replica"
        assert response.json()["total"]["received"] == 1
        # The session the reports get is a standby's.
        async with app.state.report_reads.session(app.state.db) as (session, source):
            assert source == "replica"
            assert (await session.execute(text("SELECT pg_is_in_recovery()"))).scalar() is True
    finally:
        await app.state.report_reads.dispose()
        await app.state.db.engine.dispose()


async def test_a_replica_that_does_not_answer_leaves_the_reports_to_the_primary(primary_url):
    down = make_url(replica_server()).set(
        port=closed_port(), database=make_url(primary_url).database
    )
    settings = settings_for(primary_url, down.render_as_string(hide_password=False))
    primary = create_database(settings)
    reads = ReportReads(create_replica(settings), connect_timeout_s=1.0, retry_after_s=60)
    try:
        async with reads.session(primary) as (session, source):
            assert source == "primary"
            assert (await session.execute(text("SELECT pg_is_in_recovery()"))).scalar() is False
        # Within the retry window the replica is not even tried again.
        assert reads.clock() < reads._skip_until
    finally:
        await reads.dispose()
        await primary.engine.dispose()
    app = create_app(settings)
    token = mint_token(settings, sub="coordinator", role=Role.CENTER_COORDINATOR)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for _ in range(2):
                response = await client.get(
                    STATS,
                    params={"year": today_shanghai().year},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert response.status_code == 200, response.text
                assert response.headers["Read-Source"] == "primary"
    finally:
        await app.state.report_reads.dispose()
        await app.state.db.engine.dispose()
