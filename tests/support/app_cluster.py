"""The one multi-app harness: several app instances ("processes") on one committed database,
for tests of behaviour under parallel requests (tests/concurrency, and any test that needs
more than one process).

Each app built here has its own engine and connection pool (no shared test transaction), so
requests fired together with ``asyncio.gather`` through httpx's ASGI transport really run at
the same time on separate database connections. ``Cluster`` gives each app its own client,
tokens minted with the cluster's settings, a ``DispatchWorld`` on the first client, and ways
to watch the database (lock waiters, ``until``) and to hold it (``stall_writes``).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from app.db.models import PoolMembership
from app.domain.auth.tokens import mint_token
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.support.databases import owner_url
from tests.support.dispatch_world import DispatchWorld
from tests.support.factories import API, agency_body, lawyer_body


def run_database_name(prefix: str) -> str:
    """A database name of this run and worker (the xdist controller's pid keeps two runs on
    one server apart, as tests/conftest.py does)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    run = os.getppid() if worker else os.getpid()
    return f"{prefix}_{run}_{worker or 'main'}"


class Cluster:
    """Several app instances ("processes") on one committed database, each with its own
    engine and its own client (``client_address``: the peer every request comes from)."""

    def __init__(
        self,
        settings: Settings,
        size: int,
        *,
        client_address: tuple[str, int] = ("127.0.0.1", 123),
        timeout: float = 120,
    ) -> None:
        self.settings = settings
        self.apps = [create_app(settings) for _ in range(size)]
        self.clients = [
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=client_address),
                base_url="http://testserver",
                timeout=timeout,
            )
            for app in self.apps
        ]
        self.world = DispatchWorld(self.clients[0], self.headers)

    @property
    def engine(self) -> AsyncEngine:
        engine: AsyncEngine = self.apps[0].state.db.engine
        return engine

    def client(self, i: int) -> httpx.AsyncClient:
        return self.clients[i % len(self.clients)]

    def sessionmaker(self, i: int) -> Any:
        return self.apps[i % len(self.apps)].state.db.sessionmaker

    def headers(self, role: Role, *, sub: str | None = None, **claims: Any) -> dict[str, str]:
        token = mint_token(self.settings, sub=sub or f"conc-{role.value}", role=role, **claims)
        return {"Authorization": f"Bearer {token}"}

    async def scalar(self, stmt: Any) -> Any:
        async with self.sessionmaker(0)() as session:
            return (await session.execute(stmt)).scalar_one_or_none()

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
        for app in self.apps:
            await app.state.db.engine.dispose()

    # --- set-up through the API (committed) ---

    async def agency(self) -> dict[str, Any]:
        response = await self.client(0).post(
            f"{API}/agencies", json=agency_body(), headers=self.headers(Role.ADMIN)
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def lawyers(self, agency: dict[str, Any], n: int) -> list[dict[str, Any]]:
        made = []
        for _ in range(n):
            response = await self.client(0).post(
                f"{API}/lawyers",
                json=lawyer_body(agency["id"]),
                headers=self.headers(Role.ADMIN),
            )
            assert response.status_code == 201, response.text
            made.append(response.json())
        return made

    def officer(self, agency: dict[str, Any]) -> dict[str, str]:
        return self.headers(Role.AGENCY_OFFICER, agency_id=uuid.UUID(agency["id"]))

    async def live_count(self, **where: Any) -> int:
        stmt = select(func.count()).where(PoolMembership.status.in_(("nominated", "approved")))
        for column, value in where.items():
            stmt = stmt.where(getattr(PoolMembership, column) == value)
        async with self.engine.connect() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def lock_waiters(self) -> int:
        """Requests of this database now waiting for a lock (row, table or advisory). A
        background audit sealer waiting on ``stall_writes`` is not a request and is left out."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            count = await conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                    "AND query NOT ILIKE 'UPDATE audit_records%'"
                )
            )
            return int(count.scalar_one())

    async def lock_waiters_async(self, at_least: int) -> bool:
        return await self.lock_waiters() >= at_least

    async def until_lock_waiters(self, n: int) -> None:
        """Poll until ``n`` requests of this database wait for a lock (progress, not timing)."""
        await self.until(lambda: self.lock_waiters_async(n), f"{n} requests wait for a lock")

    @asynccontextmanager
    async def stall_writes(self) -> AsyncIterator[None]:
        """Hold the audit table against inserts: every write appends its audit record in
        its own transaction, so each stops there, after its checks and changes and before
        its commit, until the block ends. (Reads of the table still pass.)"""
        # As the owner: the runtime role the apps connect as may not lock the audit table.
        url = owner_url(self.engine.url.render_as_string(hide_password=False))
        owner = create_async_engine(url, poolclass=NullPool)
        try:
            async with owner.connect() as holder:
                await holder.execute(text("LOCK TABLE audit_records IN EXCLUSIVE MODE"))
                try:
                    yield
                finally:
                    await holder.rollback()
        finally:
            await owner.dispose()

    async def until(self, condition: Callable[[], Awaitable[bool]], what: str) -> None:
        """Poll until ``await condition()`` is true (no timing is asserted, only progress)."""
        for _ in range(3000):
            if await condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"never happened: {what}")


@asynccontextmanager
async def cluster(settings: Settings, size: int, **options: Any) -> AsyncIterator[Cluster]:
    c = Cluster(settings, size, **options)
    try:
        yield c
    finally:
        await c.close()


async def all_at_once(*requests: Awaitable[httpx.Response]) -> list[httpx.Response]:
    return list(await asyncio.gather(*requests))


def outcome(response: httpx.Response) -> str:
    if response.status_code in (200, 201):
        return str(response.status_code)
    return f"{response.status_code} {response.json().get('code')}"
