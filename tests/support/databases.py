"""Test databases: one per test worker, migrated once and seeded with reference data.

The backend comes from ``ADR_TEST_DATABASE_URL``: unset means a SQLite file per worker;
a ``postgresql+asyncpg://`` URL names a server on which ``adr_test_<worker>`` databases are
created (dropped first if a previous run left them behind).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

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


def backend_url() -> str | None:
    return os.environ.get("ADR_TEST_DATABASE_URL") or None


def is_postgres() -> bool:
    url = backend_url()
    return bool(url and url.startswith("postgresql"))


def test_settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, log_json=True, **TEST_SECRETS)  # type: ignore[arg-type]


async def create_postgres_database(name: str) -> str:
    """(Re)create database ``name`` on the test server and return its URL."""
    base = make_url(backend_url() or "")
    conn = await asyncpg.connect(
        host=base.host,
        port=base.port or 5432,
        user=base.username,
        password=base.password,
        database=base.database or "postgres",
    )
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
    base = make_url(backend_url() or "")
    conn = await asyncpg.connect(
        host=base.host,
        port=base.port or 5432,
        user=base.username,
        password=base.password,
        database=base.database or "postgres",
    )
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
    """A new database, migrated to head and seeded; returns its URL."""
    url = await fresh_database_url(name)
    # Alembic's env.py runs its own event loop, so it goes to a thread.
    await asyncio.to_thread(migrate, url)
    database = create_database(test_settings(url), url=url)
    try:
        async with transaction(database.sessionmaker) as session:
            await seed_reference_data(session)
    finally:
        await database.engine.dispose()
    return url
