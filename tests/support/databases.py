"""Test databases: one per test worker, migrated once and seeded with reference data.

The backend comes from ``ADR_TEST_DATABASE_URL``: unset means a SQLite file per worker;
a ``postgresql+asyncpg://`` URL names a server on which ``adr_test_<worker>`` databases are
created (dropped first if a previous run left them behind).

On PostgreSQL the databases are created and migrated as that URL's user (the owner), and the
service under test connects as the runtime role ``ADR_TEST_RUNTIME_ROLE`` (default
``adr_test_runtime``, created when missing; empty: the owner), to which ``adr migrate``
granted row privileges only, as in production (SPEC 4.4). With ``ADR_TEST_POOLER_URL``
(``postgresql+asyncpg://host:port``, a PgBouncer in transaction pooling in front of that
server) the service connects through it with ``ADR_DATABASE_POOLER=transaction``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from app.cli import migrate
from app.db.session import create_database, transaction
from app.domain.reference.seed import seed_reference_data
from app.settings import Settings

TEST_SECRETS = {
    "jwt_secret": "test-jwt-secret-0123456789abcdef0123456789",
    "pii_keys": {"k1": "dGVzdC1waWkta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTI="},
    "pii_active_key_id": "k1",
    "pii_hash_key": "test-pii-hash-key-0123456789",
    "audit_key": "test-audit-chain-key-0123456789abcdef012345",
}


DEFAULT_RUNTIME_ROLE = "adr_test_runtime"


def backend_url() -> str | None:
    return os.environ.get("ADR_TEST_DATABASE_URL") or None


def runtime_role() -> str | None:
    """The role the service connects as on PostgreSQL, or None for the owner itself."""
    return os.environ.get("ADR_TEST_RUNTIME_ROLE", DEFAULT_RUNTIME_ROLE) or None


def pooler_url() -> str | None:
    return os.environ.get("ADR_TEST_POOLER_URL") or None


def runtime_url(owner_url: str, *, role: str | None = None) -> str:
    """The service's URL for a database created as the owner: the runtime role's (or
    ``role``'s; "" keeps the owner), through the pooler when there is one."""
    url = make_url(owner_url)
    if url.get_backend_name() != "postgresql":
        return owner_url
    role = runtime_role() if role is None else role
    if role:
        url = url.set(username=role, password=None)
    pooler = pooler_url()
    if pooler:
        through = make_url(pooler)
        url = url.set(host=through.host, port=through.port)
    return url.render_as_string(hide_password=False)


def owner_url(url: str) -> str:
    """The owner's direct URL of a test database, from either form of its URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    base = make_url(backend_url() or "")
    return base.set(database=parsed.database).render_as_string(hide_password=False)


def is_postgres() -> bool:
    url = backend_url()
    return bool(url and url.startswith("postgresql"))


def test_settings(database_url: str) -> Settings:
    pooled = bool(pooler_url()) and database_url.startswith("postgresql")
    return Settings(
        env="test",
        database_url=database_url,
        database_pooler="transaction" if pooled else "none",
        log_json=True,
        **TEST_SECRETS,  # type: ignore[arg-type]
    )


async def _connect_as_owner(database: str = "") -> asyncpg.Connection:
    base = make_url(backend_url() or "")
    return await asyncpg.connect(
        host=base.host,
        port=base.port or 5432,
        user=base.username,
        password=base.password,
        database=database or base.database or "postgres",
    )


def _quoted(role: str) -> str:
    return '"' + role.replace('"', '""') + '"'


async def become_runtime_role(connection: AsyncConnection) -> None:
    """Inside the connection's transaction, act as the runtime role (PostgreSQL)."""
    role = runtime_role()
    if role and connection.dialect.name == "postgresql":
        await connection.execute(text(f"SET LOCAL ROLE {_quoted(role)}"))


async def become_owner(connection: AsyncConnection) -> None:
    """Inside the connection's transaction, act as the owner again (PostgreSQL)."""
    if runtime_role() and connection.dialect.name == "postgresql":
        await connection.execute(text("SET LOCAL ROLE NONE"))


async def ensure_runtime_role(role: str | None = None) -> None:
    """Create the runtime role (cluster-wide, shared by parallel runs) when it is missing:
    it may log in, and owns and may create nothing."""
    role = role or runtime_role()
    if not role:
        return
    conn = await _connect_as_owner()
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        if not exists:
            # A parallel run may create it first.
            with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                await conn.execute(
                    f"CREATE ROLE {_quoted(role)} "
                    "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
                )
    finally:
        await conn.close()


async def create_postgres_database(name: str) -> str:
    """(Re)create database ``name`` on the test server and return its (owner's) URL."""
    base = make_url(backend_url() or "")
    conn = await _connect_as_owner()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # UTF-8 collation and ctype: pg_trgm handles Chinese text only under a UTF-8 ctype.
        await conn.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    finally:
        await conn.close()
    return base.set(database=name).render_as_string(hide_password=False)


async def drop_database(name: str) -> None:
    """Remove a test database (PostgreSQL; SQLite files live in the temp folder)."""
    if not is_postgres():
        return
    conn = await _connect_as_owner()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def fresh_database_url(name: str) -> str:
    if is_postgres():
        return await create_postgres_database(name)
    path = Path(tempfile.gettempdir()) / f"{name}-{os.getpid()}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240  (once per worker)
    return f"sqlite+aiosqlite:///{path}"


async def prepare_database(name: str) -> str:
    """A new database, migrated to head as the owner and seeded as the service; returns the
    service's (runtime role's) URL."""
    url = await fresh_database_url(name)
    service_url = runtime_url(url)
    if service_url != url:
        await ensure_runtime_role()
    # Alembic's env.py runs its own event loop, so it goes to a thread.
    await asyncio.to_thread(migrate, url, runtime_url=service_url)
    url = service_url
    database = create_database(test_settings(url), url=url)
    try:
        async with transaction(database.sessionmaker) as session:
            await seed_reference_data(session)
    finally:
        await database.engine.dispose()
    return url
