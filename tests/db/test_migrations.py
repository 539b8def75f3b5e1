"""One Alembic tree for both databases (SPEC 5): it goes up, down and up again on a fresh
database, and the models agree with what it builds (no autogenerate difference)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from app.cli import alembic_config
from app.db.base import Base
from app.db.session import create_engine
from tests.support.databases import test_settings as settings_for
from tests.support.scratch import scratch_database


@pytest.fixture
async def empty_url() -> AsyncIterator[str]:
    async with scratch_database("migrations", migrated=False) as url:
        yield url


async def _run(url: str, fn: Any) -> Any:
    engine = create_engine(settings_for(url))
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _version(connection: Connection) -> str | None:
    if "alembic_version" not in _tables(connection):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def test_upgrade_downgrade_upgrade_on_a_fresh_database(empty_url):
    config = alembic_config(empty_url)
    model_tables = set(Base.metadata.tables)

    await asyncio.to_thread(command.upgrade, config, "head")
    assert await _run(empty_url, _version) == _head()
    assert model_tables <= await _run(empty_url, _tables)

    await asyncio.to_thread(command.downgrade, config, "base")
    assert await _run(empty_url, _tables) <= {"alembic_version"}
    assert await _run(empty_url, _version) is None

    await asyncio.to_thread(command.upgrade, config, "head")
    assert await _run(empty_url, _version) == _head()
    assert model_tables <= await _run(empty_url, _tables)
    assert await _run(empty_url, _differences) == []


async def test_every_revision_steps_down_and_up_again(empty_url):
    # Each migration's downgrade undoes exactly its upgrade, not only the whole tree's.
    config = alembic_config(empty_url)
    revisions = list(ScriptDirectory.from_config(config).walk_revisions("base", "heads"))
    await asyncio.to_thread(command.upgrade, config, "head")
    for _ in revisions:
        await asyncio.to_thread(command.downgrade, config, "-1")
    assert await _run(empty_url, _version) is None
    for _ in revisions:
        await asyncio.to_thread(command.upgrade, config, "+1")
    assert await _run(empty_url, _version) == _head()


async def test_the_tree_has_a_single_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, heads


async def test_the_models_agree_with_the_migrations(database_url):
    # The worker's database was migrated to head by the harness: autogenerate must find
    # nothing to do there, or a model changed without its migration (or the reverse).
    assert await _run(database_url, _differences) == []
