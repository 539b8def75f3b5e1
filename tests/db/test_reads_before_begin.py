"""Connected directly, a request's hot reads run before its BEGIN and a request that only
reads sends no BEGIN at all (issue 16); a write or a lock always runs inside the
transaction, so it is rolled back with it; behind PgBouncer's transaction pooling every
statement stays inside the transaction. PostgreSQL: the transaction state is the server's."""

from __future__ import annotations

import os

import pytest

from app.db import fast_insert, fast_read
from app.db.session import create_database, transaction
from tests.support import databases

pytestmark = pytest.mark.postgres_only

YEAR = 1999  # a counter row no test numbers cases in


@pytest.fixture(scope="module")
async def direct_url() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # The owner's direct URL, in the PgBouncer run too: the point is what the service does
    # when it is (or says it is not) connected directly.
    return databases.owner_url(await databases.prepare_database("adr_reads_first_" + worker))


class Rollback(Exception):
    pass


async def counter_exists(database) -> bool:
    async with transaction(database.sessionmaker) as session:
        rows = await fast_read.fetch(session, "SELECT 1 FROM case_counters WHERE year = $1", YEAR)
        return bool(rows)


async def write_after_a_read_then_fail(database, *, reads_first: bool) -> None:
    async with transaction(database.sessionmaker) as session:
        rows = await fast_read.fetch(session, "SELECT 41 + 1 AS answer")
        assert rows is not None
        assert rows[0]["answer"] == 42
        connection = await fast_read.driver(session)
        assert connection is not None
        assert connection.is_in_transaction() is not reads_first
        # A write after such a read begins the transaction first...
        written = await fast_insert.fetch_in_transaction(
            session,
            "INSERT INTO case_counters (year, last_no) VALUES ($1, 7) RETURNING last_no",
            YEAR,
        )
        assert written is not None
        assert written[0]["last_no"] == 7
        assert connection.is_in_transaction()
        # ...and a read after a write sees it, inside the same transaction.
        seen = await fast_read.fetch(
            session, "SELECT last_no FROM case_counters WHERE year = $1", YEAR
        )
        assert seen is not None
        assert seen[0]["last_no"] == 7
        raise Rollback


@pytest.mark.parametrize(("pooler", "reads_first"), [("none", True), ("transaction", False)])
async def test_reads_come_before_begin_only_when_connected_directly(
    direct_url, pooler, reads_first
):
    settings = databases.test_settings(direct_url).model_copy(update={"database_pooler": pooler})
    database = create_database(settings, url=direct_url)
    try:
        with pytest.raises(Rollback):
            await write_after_a_read_then_fail(database, reads_first=reads_first)
        # Rolled back with the transaction: the write never autocommitted.
        assert not await counter_exists(database)
    finally:
        await database.engine.dispose()


async def test_a_session_s_next_transaction_writes_on_its_own_connection(direct_url):
    """The driver connection a hot statement uses is kept for its transaction only: after a
    commit, the session's next write runs in the next transaction, rolled back with it."""
    database = create_database(databases.test_settings(direct_url), url=direct_url)
    insert = "INSERT INTO case_counters (year, last_no) VALUES ($1, 1) RETURNING last_no"
    update = "UPDATE case_counters SET last_no = 2 WHERE year = $1 RETURNING last_no"
    try:
        async with database.sessionmaker() as session:
            assert await fast_insert.fetch_in_transaction(session, insert, YEAR)
            await session.commit()
            assert await fast_insert.fetch_in_transaction(session, update, YEAR)
            await session.rollback()
        async with transaction(database.sessionmaker) as session:
            rows = await fast_read.fetch(
                session, "SELECT last_no FROM case_counters WHERE year = $1", YEAR
            )
            assert rows is not None
            assert [r["last_no"] for r in rows] == [1]
    finally:
        async with transaction(database.sessionmaker) as session:
            await fast_insert.fetch_in_transaction(
                session, "DELETE FROM case_counters WHERE year = $1 RETURNING year", YEAR
            )
        await database.engine.dispose()
