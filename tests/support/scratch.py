"""Databases of their own for tests that must commit (concurrency, migrations, the CLI,
schemathesis): created under a unique name and dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from tests.support.databases import backend_url, fresh_database_url, prepare_database


def unique_name(prefix: str) -> str:
    return f"adr_{prefix}_{uuid.uuid4().hex[:10]}"


async def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
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
        await conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def scratch_database(prefix: str, *, migrated: bool = True) -> AsyncIterator[str]:
    """A database of its own: migrated and seeded (or empty with ``migrated=False``)."""
    name = unique_name(prefix)
    url = await (prepare_database(name) if migrated else fresh_database_url(name))
    try:
        yield url
    finally:
        await drop_database(url)
