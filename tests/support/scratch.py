"""Databases of their own for tests that must commit (concurrency, migrations, the CLI,
schemathesis): created under a unique name and dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.support.databases import drop_database as drop_database_named
from tests.support.databases import fresh_database_url, prepare_database


def unique_name(prefix: str) -> str:
    return f"adr_{prefix}_{uuid.uuid4().hex[:10]}"


async def drop_database(url: str) -> None:
    """Remove a scratch database given by its URL (the SQLite file, or the PostgreSQL one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        return
    await drop_database_named(str(parsed.database))


@asynccontextmanager
async def scratch_database(prefix: str, *, migrated: bool = True) -> AsyncIterator[str]:
    """A database of its own: migrated and seeded (or empty with ``migrated=False``)."""
    name = unique_name(prefix)
    url = await (prepare_database(name) if migrated else fresh_database_url(name))
    try:
        yield url
    finally:
        await drop_database(url)
