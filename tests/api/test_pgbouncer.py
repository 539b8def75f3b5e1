"""Behind PgBouncer in transaction pooling (SPEC 5, ``ADR_DATABASE_POOLER=transaction``): the
core workflow, with requests that really commit and run at the same time, so that the
service's client connections take turns on PgBouncer's few server connections. Without the
pooler setting the service cannot work there: PgBouncer refuses the ``statement_timeout``
startup parameter the service sets on direct connections, and, were it told to ignore it,
statements collide (``prepared statement "__asyncpg_stmt_1__" already exists``); the first
tests show both, and that the statement bound still holds with the setting.

PgBouncer is the one of ``make test-pgbouncer`` (``ADR_TEST_POOLER_URL``) or, without it, one
started here (Debian's ``pgbouncer`` package; these tests are deselected where it is not
installed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_engine
from app.domain.auth.tokens import mint_token
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.conftest import CLIENT_ADDRESS
from tests.support import pgbouncer
from tests.support.databases import pooler_url
from tests.support.databases import test_settings as settings_for
from tests.support.dispatch_world import DispatchWorld, outcome_body
from tests.support.factories import API, applicant, case_body, conditions_met, days_ago
from tests.support.scratch import scratch_database

pytestmark = [pytest.mark.postgres_only, pytest.mark.pgbouncer]


@pytest.fixture(scope="module")
def bouncer() -> Iterator[str]:
    existing = pooler_url()
    if existing:
        yield existing
        return
    with pgbouncer.running_pgbouncer() as url:
        yield url


@pytest.fixture(scope="module")
async def pooled_settings(bouncer: str) -> AsyncIterator[Settings]:
    """Settings of a service on a committed database of its own, through PgBouncer."""
    async with scratch_database("pgbouncer") as url:
        through = make_url(bouncer)
        pooled = make_url(url).set(host=through.host, port=through.port)
        yield settings_for(pooled.render_as_string(hide_password=False)).model_copy(
            update={"database_pooler": "transaction", "db_pool_size": 6, "sweep_interval_s": 0}
        )


@pytest.fixture
async def world(pooled_settings: Settings) -> AsyncIterator[DispatchWorld]:
    app: Any = create_app(pooled_settings)
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)

    def auth(role: Role, **claims: Any) -> dict[str, str]:
        claims.setdefault("sub", f"pgbouncer-{role.value}")
        return {"Authorization": f"Bearer {mint_token(pooled_settings, role=role, **claims)}"}

    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield DispatchWorld(client, auth)
    finally:
        await app.state.db.engine.dispose()


def _without_startup_timeout(engine: AsyncEngine) -> AsyncEngine:
    """The direct-connection engine, minus the startup parameter PgBouncer refuses."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _drop_timeout(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["server_settings"].pop("statement_timeout", None)

    return engine


async def _queries_on_many_connections(settings: Settings) -> None:
    engine = create_engine(settings)
    try:

        async def one(i: int) -> None:
            async with engine.connect() as connection:
                for _ in range(5):
                    await connection.execute(text("SELECT CAST(:i AS integer)"), {"i": i})
                    await connection.commit()

        await asyncio.gather(*(one(i) for i in range(6)))
    finally:
        await engine.dispose()


async def test_without_the_pooler_setting_the_service_cannot_connect(pooled_settings):
    plain = pooled_settings.model_copy(update={"database_pooler": "none"})
    with pytest.raises(DBAPIError, match="unsupported startup parameter: statement_timeout"):
        await _queries_on_many_connections(plain)
    await _queries_on_many_connections(pooled_settings)  # and with it they work


async def test_without_the_pooler_setting_statements_go_astray(pooled_settings):
    # Even with the timeout left out of the startup parameters, a prepared statement the
    # driver cached on one server connection is used again on another. Made deterministic:
    # the statement is prepared on server X, then X is kept busy by another client, so the
    # next transaction of the first client must run on the other server.
    plain = pooled_settings.model_copy(update={"database_pooler": "none"})
    engine = _without_startup_timeout(create_engine(plain))
    query = text("SELECT CAST(:i AS integer), pg_backend_pid()")
    try:
        async with engine.connect() as first, engine.connect() as second:
            server_x = (await first.execute(query, {"i": 1})).one()[1]
            await first.commit()
            held = [second]
            pid = (await second.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            if pid != server_x:
                # The second client holds the other server: a third can only get X.
                third = await engine.connect()
                held.append(third)
                await third.execute(text("SELECT 1"))
            # Server X is now inside another client's open transaction.
            with pytest.raises(DBAPIError, match="prepared statement"):
                await first.execute(query, {"i": 2})
            for other in held:
                await other.rollback()
                if other is not second:
                    await other.close()
    finally:
        await engine.dispose()


async def test_every_statement_is_still_bounded_behind_pgbouncer(pooled_settings):
    engine = create_engine(pooled_settings)
    try:
        async with engine.begin() as connection:
            bound = (
                await connection.execute(
                    text("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert int(bound) == pooled_settings.statement_timeout_ms  # milliseconds


async def test_the_core_workflow_through_pgbouncer(world):
    respondent = await world.respondent()
    lawyer = await world.lawyer()

    # Intakes in parallel: case numbers, applicants, events, audit records.
    bodies = [
        case_body(
            respondent["id"],
            respondent["id"],
            title=f"经PgBouncer受理的案件{i}",
            # Several applicants: their rows go to asyncpg as one executemany.
            applicants=[applicant() for _ in range(1 + i % 3)],
            act={"type": "expropriation", "made_on": days_ago(40), "known_on": days_ago(30)},
        )
        for i in range(12)
    ]

    async def intake(i: int) -> httpx.Response:
        headers = {**world.coordinator, "Idempotency-Key": f"pgbouncer-intake-{i}"}
        response: httpx.Response = await world.client.post(
            f"{API}/cases", json=bodies[i], headers=headers
        )
        return response

    created = await asyncio.gather(*(intake(i) for i in range(12)))
    assert [r.status_code for r in created] == [201] * 12, [r.text for r in created]
    numbers = sorted(r.json()["case_no"] for r in created)
    assert len(set(numbers)) == 12
    replay = await intake(0)
    assert replay.headers.get("Idempotent-Replayed") == "true"

    listed = await world.client.get(
        f"{API}/cases", params={"q": "PgBouncer", "limit": 50}, headers=world.coordinator
    )
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == 12

    case = created[0].json()
    classified = await world.client.post(
        f"{API}/cases/{case['id']}/classification",
        json={
            "conditions": conditions_met(),
            "business_system": "natural_resources",
            "act_type": "expropriation",
            "priority": "normal",
            "recommended_channel": "reconciliation",
        },
        headers=world.coordinator,
    )
    assert classified.status_code == 200, classified.text
    dispatched = await world.dispatch(case["id"], key="pgbouncer-dispatch")
    assert dispatched.status_code == 201, dispatched.text
    accepted = await world.accept(dispatched.json())
    assert accepted["status"] == "accepted"
    recorded = await world.outcome(
        case["id"],
        outcome_body("mediated", hours=[{"lawyer_id": lawyer["id"], "hours": 2}]),
        headers=world.as_lawyer(lawyer),
        key="pgbouncer-outcome",
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["status"] == "closed"

    verify = await world.client.get(f"{API}/audit/verify", headers=world.admin)
    assert verify.status_code == 200, verify.text
    assert verify.json()["valid"] is True
