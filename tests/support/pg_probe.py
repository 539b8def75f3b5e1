"""Exit 0 when a PostgreSQL server answers at the given SQLAlchemy URL, 1 otherwise."""

from __future__ import annotations

import asyncio
import sys

import asyncpg
from sqlalchemy.engine import make_url


async def _probe(url: str) -> bool:
    parsed = make_url(url)
    try:
        conn = await asyncpg.connect(
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            database=parsed.database or "postgres",
            timeout=3,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(_probe(sys.argv[1])) else 1)
