"""What the benchmarks share: a fresh PostgreSQL database, migrated and seeded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

BIN = Path(sys.executable).parent


async def connect(url: str | URL, database: str | None = None) -> asyncpg.Connection:
    """A plain asyncpg connection to the server of a SQLAlchemy URL (to ``database``, or the
    URL's own, or ``postgres``)."""
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=database or parsed.database or "postgres",
    )


async def recreate_database(base_url: str, name: str) -> None:
    """Drop database ``name`` if it exists and create it empty, UTF-8 with a UTF-8 ctype (as
    the tests do; pg_trgm needs it for Chinese, see docs/performance.md)."""
    admin = await connect(base_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    finally:
        await admin.close()


def migrate_and_seed(database_url: str) -> None:
    """``adr migrate`` and ``adr seed`` on that database, as an operator would run them."""
    env = {**os.environ, "ADR_DATABASE_URL": database_url}
    for command in ("migrate", "seed"):
        subprocess.run([BIN / "adr", command], env=env, check=True, capture_output=True)
