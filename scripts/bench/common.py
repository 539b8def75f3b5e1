"""What the benchmarks share: a fresh PostgreSQL database, migrated and seeded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

BIN = Path(sys.executable).parent

# The service refuses its published development secrets on PostgreSQL (SPEC 4.1): the
# benchmarks bring keys of their own. One caller sends every request, so its budget is
# raised far above what a run sends (the limiter still runs and is measured).
BENCH_ENVIRONMENT = {
    "ADR_JWT_SECRET": "bench-jwt-secret-0123456789abcdef0123456789",
    "ADR_PII_KEYS": '{"bench": "YmVuY2gtcGlpLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE="}',
    "ADR_PII_ACTIVE_KEY_ID": "bench",
    "ADR_PII_HASH_KEY": "bench-pii-hash-key-0123456789",
    "ADR_AUDIT_KEY": "bench-audit-chain-key-0123456789abcdef0123",
    "ADR_RATE_LIMIT_PER_MINUTE": "100000000",
    "ADR_REPORT_RATE_LIMIT_PER_MINUTE": "100000000",
}


def use_bench_environment() -> None:
    """Put the benchmark's settings in this process's environment (and so its children's),
    leaving any the caller set."""
    for name, value in BENCH_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


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
