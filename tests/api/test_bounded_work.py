"""Bounded work (SPEC 3): every statement of a request has a time limit (longer for reports),
and an exhausted connection pool or a statement over its limit answers 503 with
``Retry-After``, never 500."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import event, text

from app.api.deps import SessionDep
from app.domain.auth.tokens import mint_token
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.support.databases import test_settings as settings_for
from tests.support.problems import assert_problem
from tests.support.scratch import scratch_database

pytestmark = pytest.mark.postgres_only

AppFactory = Callable[..., Any]


@pytest.fixture
async def committed_url() -> AsyncIterator[str]:
    async with scratch_database("bounded") as url:
        yield url


@pytest.fixture
async def app_with(committed_url: str) -> AsyncIterator[AppFactory]:
    """``app_with(**settings)`` → (app, client, headers of a coordinator) on a committed
    database, with an engine (and pool) of its own."""
    apps: list[Any] = []
    clients: list[httpx.AsyncClient] = []

    def make(**overrides: Any) -> tuple[Any, httpx.AsyncClient, dict[str, str]]:
        base = settings_for(committed_url)
        settings = Settings(_env_file=None, **{**base.model_dump(), **overrides})
        app: Any = create_app(settings)
        apps.append(app)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=30
        )
        clients.append(client)
        token = mint_token(settings, sub="coordinator", role=Role.CENTER_COORDINATOR)
        return app, client, {"Authorization": f"Bearer {token}"}

    yield make
    for client in clients:
        await client.aclose()
    for app in apps:
        await app.state.db.engine.dispose()


def _assert_unavailable(response: httpx.Response, code: str) -> None:
    assert_problem(response, 503, code)
    assert int(response.headers["retry-after"]) >= 1


async def test_a_statement_over_its_time_limit_is_503(app_with):
    _, client, headers = app_with(statement_timeout_ms=300)
    other, _, _ = app_with()
    assert (await client.get("/api/v1/cases", headers=headers)).status_code == 200
    # Another session holds the case table: the list waits on it until its time is up.
    async with other.state.db.engine.connect() as holder:
        await holder.execute(text("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE"))
        response = await client.get("/api/v1/cases", headers=headers)
        _assert_unavailable(response, "statement_timeout")
        await holder.rollback()
    # The lock gone, the same request is served again.
    assert (await client.get("/api/v1/cases", headers=headers)).status_code == 200


async def test_an_exhausted_connection_pool_is_503(app_with):
    app, client, headers = app_with(db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=0.3)
    assert (await client.get("/api/v1/cases", headers=headers)).status_code == 200
    # The pool's one connection is held (as by a long request) for the whole pool timeout.
    async with app.state.db.engine.connect() as held:
        await held.execute(text("SELECT 1"))
        response = await client.get("/api/v1/cases", headers=headers)
        _assert_unavailable(response, "database_busy")
        write = await client.post("/api/v1/cases", json={"title": "x"}, headers=headers)
        assert write.status_code in (422, 503)  # refused on its body, or busy: never a 500
    assert (await client.get("/api/v1/cases", headers=headers)).status_code == 200


async def test_reports_and_exports_get_the_longer_statement_limit(app_with):
    app, client, headers = app_with(statement_timeout_ms=1500, report_statement_timeout_ms=4000)
    # The report routes are being built elsewhere; a probe on their paths shows the limit
    # the request's session runs under.
    probe = APIRouter()

    @probe.get("/api/v1/statistics/probe", include_in_schema=False)
    @probe.get("/api/v1/probe", include_in_schema=False)
    async def show_timeout(session: SessionDep) -> str:
        return str((await session.execute(text("SHOW statement_timeout"))).scalar_one())

    app.include_router(probe)
    assert (await client.get("/api/v1/probe", headers=headers)).json() == "1500ms"
    assert (await client.get("/api/v1/statistics/probe", headers=headers)).json() == "4s"
    exported = await client.get("/api/v1/probe", params={"format": "csv"}, headers=headers)
    assert exported.json() == "4s"
    # SET LOCAL: the pooled connection is back to the ordinary limit afterwards.
    assert (await client.get("/api/v1/probe", headers=headers)).json() == "1500ms"


async def test_a_steady_load_reuses_its_connections(app_with):
    """Requests in flight beyond the ten connections the pool used to keep (it closed the
    others as they were returned): a load that stays there opens no PostgreSQL connection
    per request, only the first time it comes (docs/performance.md, "v6")."""
    app, client, headers = app_with()
    opened: list[object] = []
    event.listen(app.state.db.engine.sync_engine, "connect", lambda conn, _: opened.append(conn))
    probe = APIRouter()

    @probe.get("/api/v1/probe", include_in_schema=False)
    async def hold_a_connection(session: SessionDep) -> None:
        await session.execute(text("SELECT pg_sleep(0.2)"))

    app.include_router(probe)

    async def burst() -> None:
        answers = await asyncio.gather(
            *(client.get("/api/v1/probe", headers=headers) for _ in range(15))
        )
        assert [a.status_code for a in answers] == [200] * 15

    await burst()
    assert len(opened) == 15  # all at once: each held its own
    await burst()
    await burst()
    assert len(opened) == 15
