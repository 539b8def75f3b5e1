"""Test harness: a database per worker (migrated once), each test inside a transaction that
is rolled back, and an in-process HTTP client on the real application."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import hypothesis
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.db.session import Database, create_engine, create_sessionmaker
from app.domain.auth.tokens import mint_token
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.support import pgbouncer
from tests.support.databases import (
    become_runtime_role,
    drop_database,
    is_postgres,
    owner_url,
    prepare_database,
    runtime_url,
    test_settings,
)
from tests.support.redis_probe import redis_answers, redis_required, redis_url

CLIENT_ADDRESS = ("203.0.113.7", 50000)

# Property tests draw the same examples on every run (derived from each test), so that CI
# passes or fails on the code, never on the draw; `HYPOTHESIS_PROFILE=explore` searches
# afresh, with more examples, when hunting for new counterexamples.
hypothesis.settings.register_profile("ci", derandomize=True)
hypothesis.settings.register_profile("explore", max_examples=2000)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _runs_here(item: pytest.Item) -> bool:
    if item.get_closest_marker("postgres_only") is not None and not is_postgres():
        return False
    # Replica tests need a streaming replica (ADR_TEST_REPLICA_URL); CI starts one and sets
    # ADR_REQUIRE_REPLICA, so that there they fail, never vanish, when it is missing.
    return not (
        item.get_closest_marker("replica") is not None
        and not os.environ.get("ADR_TEST_REPLICA_URL")
        and not os.environ.get("ADR_REQUIRE_REPLICA")
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # PostgreSQL-only behaviour (row locks, concurrency) is deselected, never skipped, on
    # the SQLite run; `make test` runs the suite on PostgreSQL as well. Tests of budgets
    # shared through Redis are deselected when no Redis answers, unless it is required
    # (ADR_REQUIRE_REDIS, set by CI): then its absence fails the run. Tests behind a real
    # PgBouncer are deselected where none is installed.
    needs_redis = [i for i in items if i.get_closest_marker("redis") is not None]
    without_redis = False
    if needs_redis and not redis_answers():
        if redis_required():
            raise pytest.UsageError(
                f"Redis is required (ADR_REQUIRE_REDIS) but none answers at {redis_url()}"
            )
        without_redis = True

    def deselected(item: pytest.Item) -> bool:
        if not is_postgres() and item.get_closest_marker("postgres_only") is not None:
            return True
        if item.get_closest_marker("pgbouncer") is not None and not pgbouncer.available():
            return True
        if not _runs_here(item):
            return True
        return without_redis and item.get_closest_marker("redis") is not None

    dropped = [i for i in items if deselected(i)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if not deselected(i)]


@pytest.fixture(scope="session")
def worker_name() -> str:
    # The run's id (the xdist controller's pid) keeps two runs on one server apart.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    run = os.getppid() if worker else os.getpid()
    return f"adr_test_{run}_{worker or 'main'}"


@pytest.fixture(scope="session")
async def database_url(worker_name: str) -> AsyncIterator[str]:
    yield await prepare_database(worker_name)
    await drop_database(worker_name)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return test_settings(database_url)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    # The owner's connection (through the pooler when there is one): tests that play the
    # intruder with database access switch to it (``as_owner``); everything else runs as the
    # runtime role, see ``db``.
    engine = create_engine(settings, url=runtime_url(owner_url(settings.database_url), role=""))
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[Database]:
    """Everything a test does happens in one outer transaction, rolled back at the end; the
    app's own commits become savepoint releases inside it. On PostgreSQL the transaction runs
    as the runtime role (``SET LOCAL ROLE``), with exactly the privileges the service has in
    production."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        await become_runtime_role(connection)
        sessionmaker = create_sessionmaker(connection, join_transaction_mode="create_savepoint")
        yield Database(engine=engine, sessionmaker=sessionmaker)
        if outer.is_active:
            await outer.rollback()


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    async with db.sessionmaker() as session:
        yield session


@pytest.fixture
def app(settings: Settings, db: Database) -> Any:
    return create_app(settings, database=db)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


TokenFactory = Callable[..., dict[str, str]]


@pytest.fixture
def auth(settings: Settings) -> TokenFactory:
    """``auth(Role.ADMIN)`` → headers with a valid bearer token for that role."""

    def headers(
        role: Role,
        *,
        sub: str | None = None,
        agency_id: uuid.UUID | None = None,
        lawyer_id: uuid.UUID | None = None,
    ) -> dict[str, str]:
        if role is Role.AGENCY_OFFICER and agency_id is None:
            agency_id = uuid.uuid4()
        if role is Role.LAWYER and lawyer_id is None:
            lawyer_id = uuid.uuid4()
        token = mint_token(
            settings,
            sub=sub or f"test-{role.value}",
            role=role,
            agency_id=agency_id,
            lawyer_id=lawyer_id,
        )
        return {"Authorization": f"Bearer {token}"}

    return headers
