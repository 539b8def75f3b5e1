"""Least privilege (SPEC 4.4, 5): `adr migrate`, run as the owner, leaves the service's runtime
role able to read and write rows and nothing else. Each refusal below is PostgreSQL's own,
on a connection made as that role."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import cli
from app.settings import get_settings
from tests.support import databases
from tests.support.scratch import scratch_database

pytestmark = pytest.mark.postgres_only

ROLE = databases.runtime_role() or databases.DEFAULT_RUNTIME_ROLE


async def _connect(url: str, role: str) -> asyncpg.Connection:
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=role,
        database=parsed.database,
        statement_cache_size=0,
    )


@pytest.fixture(scope="module")
async def migrated() -> AsyncIterator[str]:
    """A database migrated by `adr migrate` as the CLI runs it in production: the owner's URL
    in ADR_MIGRATION_DATABASE_URL, the runtime role's in ADR_DATABASE_URL."""
    async with scratch_database("privileges", migrated=False) as owner_url:
        await databases.ensure_runtime_role(ROLE)
        runtime_url = make_url(owner_url).set(username=ROLE, password=None)
        env = {
            "ADR_ENV": "test",
            "ADR_DATABASE_URL": runtime_url.render_as_string(hide_password=False),
            "ADR_MIGRATION_DATABASE_URL": owner_url,
            "ADR_JWT_SECRET": str(databases.TEST_SECRETS["jwt_secret"]),
            "ADR_PII_KEYS": json.dumps(databases.TEST_SECRETS["pii_keys"]),
            "ADR_PII_ACTIVE_KEY_ID": str(databases.TEST_SECRETS["pii_active_key_id"]),
            "ADR_PII_HASH_KEY": str(databases.TEST_SECRETS["pii_hash_key"]),
            "ADR_AUDIT_KEY": str(databases.TEST_SECRETS["audit_key"]),
        }
        with pytest.MonkeyPatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            get_settings.cache_clear()
            try:
                assert await asyncio.to_thread(cli.main, ["migrate"]) == 0
                assert await asyncio.to_thread(cli.main, ["seed"]) == 0  # as the runtime role
            finally:
                get_settings.cache_clear()
        yield owner_url


@pytest.fixture
async def runtime(migrated: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await _connect(migrated, ROLE)
    try:
        yield conn
    finally:
        await conn.close()


async def _refused(conn: asyncpg.Connection, sql: str) -> str:
    """Run ``sql`` in a transaction that is rolled back; return PostgreSQL's refusal."""
    with pytest.raises(asyncpg.InsufficientPrivilegeError) as refused:
        async with conn.transaction():
            await conn.execute(sql)
    return str(refused.value)


async def test_the_runtime_role_reads_and_writes_rows(runtime):
    async with runtime.transaction():
        assert await runtime.fetchval("SELECT count(*) FROM business_systems") > 0
        await runtime.execute(
            "UPDATE business_systems SET label_zh = label_zh WHERE code = 'other'"
        )
        agency = await runtime.fetchval("SELECT id FROM agencies LIMIT 1")
        await runtime.execute("DELETE FROM lawyers WHERE agency_id = $1", agency)
        assert await runtime.fetchval("SELECT nextval('audit_records_serial_seq')") > 0
        assert await runtime.fetchval("SELECT version_num FROM alembic_version")


async def test_the_runtime_role_owns_nothing(runtime):
    owned = await runtime.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
    )
    assert owned == []
    assert (
        await runtime.fetchval(
            "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user"
        )
        is False
    )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("CREATE TABLE intruder (id int)", "permission denied for schema public"),
        ("CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'", "schema public"),
        ("ALTER TABLE cases ADD COLUMN intruder text", "must be owner of table cases"),
        ("ALTER TABLE cases ALTER COLUMN title TYPE text", "must be owner of table cases"),
        ("DROP TABLE cases", "must be owner of table cases"),
        ("DROP INDEX ix_case_search_pairs", "must be owner of index"),
        ("TRUNCATE cases CASCADE", "permission denied for table"),
        ("ALTER TABLE audit_records DISABLE TRIGGER ALL", "must be owner of table audit_records"),
        (
            "ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only",
            "must be owner of table audit_records",
        ),
        ("DROP TRIGGER audit_records_append_only ON audit_records", "must be owner"),
        ("SET session_replication_role = replica", "session_replication_role"),
        (
            "CREATE TRIGGER t BEFORE INSERT ON cases EXECUTE FUNCTION adr_refuse_audit_change()",
            "permission denied for table cases",
        ),
        ("UPDATE alembic_version SET version_num = 'x'", "permission denied for table"),
    ],
)
async def test_the_runtime_role_cannot_change_the_schema(runtime, sql, message):
    assert message in await _refused(runtime, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_records SET actor_sub = 'someone-else'",
        "UPDATE audit_records SET changes = NULL",
        "DELETE FROM audit_records",
        "TRUNCATE audit_records",
    ],
)
async def test_the_runtime_role_cannot_change_audit_records(runtime, sql):
    outer = runtime.transaction()
    await outer.start()
    try:
        await runtime.execute(
            "INSERT INTO audit_records (id, occurred_at, action, outcome) "
            "VALUES ($1, now(), 'test.write', 'success')",
            uuid.uuid4(),
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="audit_records"):
            async with runtime.transaction():  # a savepoint
                await runtime.execute(sql)
        # The one write the sealer makes (chaining an unsealed record, once) is allowed, and
        # the trigger refuses a second one.
        serial = await runtime.fetchval("SELECT max(serial) FROM audit_records")
        await runtime.execute(
            "UPDATE audit_records SET seq = -1, prev_hash = NULL, hash = $2 WHERE serial = $1",
            serial,
            "0" * 64,
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            async with runtime.transaction():
                await runtime.execute(
                    "UPDATE audit_records SET hash = $2 WHERE serial = $1", serial, "1" * 64
                )
    finally:
        await outer.rollback()


@pytest.mark.parametrize("role", [ROLE])
async def test_migrating_again_keeps_the_grants(migrated, role):
    # A second `adr migrate` (nothing to do) grants the same and breaks nothing.
    await asyncio.to_thread(
        cli.migrate,
        migrated,
        runtime_url=make_url(migrated).set(username=role).render_as_string(hide_password=False),
    )
    conn = await _connect(migrated, role)
    try:
        assert "must be owner" in await _refused(conn, "DROP TABLE cases")
        assert await conn.fetchval("SELECT count(*) FROM agencies") > 0
    finally:
        await conn.close()


async def test_the_suite_runs_the_service_as_the_runtime_role(session):
    # ADR_TEST_RUNTIME_ROLE="" runs the suite as the owner instead.
    expected = databases.runtime_role() or make_url(databases.backend_url() or "").username
    assert await session.scalar(text("SELECT current_user")) == expected
