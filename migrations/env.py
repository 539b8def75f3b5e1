"""Alembic environment: async, one tree for PostgreSQL and SQLite (batch mode)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from app.db.base import Base
from app.db.models import *  # noqa: F403  (every table registers on Base.metadata)
from app.db.session import create_engine
from app.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    # The CLI and the tests pass the URL explicitly; otherwise the settings decide.
    return config.attributes.get("database_url") or get_settings().migration_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(get_settings(), url=_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # called from inside a running event loop (tests, readyz)
        _run_sync(connection)
        return
    asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
