"""A pooled connection the server closed costs no failed request (issue 16): the pool
refuses it at checkout and opens another. PostgreSQL: backends are really terminated."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.settings import Settings
from app.states.codes import Role
from tests.support import databases
from tests.support.app_cluster import cluster
from tests.support.factories import API

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
async def dropped_url() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return await databases.prepare_database("adr_dropped_" + worker)


@pytest.fixture
def dropped_settings(dropped_url: str) -> Settings:
    return databases.test_settings(dropped_url)


async def terminate_service_backends(settings: Settings) -> int:
    """What a server restart or an idle-connection reaper does to the service's pool."""
    url = make_url(databases.owner_url(settings.database_url))
    conn = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database="postgres"
    )
    try:
        terminated: int = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = $1 AND application_name = 'adr-service' AND pid <> pg_backend_pid()",
            url.database,
        )
        return terminated
    finally:
        await conn.close()


async def test_requests_after_the_server_dropped_the_pool_all_succeed(dropped_settings):
    async with cluster(dropped_settings, 1) as c:
        client, headers = c.client(0), c.headers(Role.ADMIN)
        # Several connections in the pool, idle.
        warm = await asyncio.gather(
            *(client.get(f"{API}/agencies", headers=headers) for _ in range(4))
        )
        assert all(r.status_code == 200 for r in warm)
        assert await terminate_service_backends(dropped_settings) >= 1
        await asyncio.sleep(0.2)  # the event loop reads the end of each socket
        after: list[Any] = await asyncio.gather(
            *(client.get(f"{API}/agencies", headers=headers) for _ in range(4))
        )
        assert [r.status_code for r in after] == [200] * 4
