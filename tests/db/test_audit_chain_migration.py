"""The migration to the keyed audit chain (SPEC 4.4): records sealed by the old SHA-256
chain stay verifiable, marked version 1; the keyed (HMAC-SHA256) chain starts after the last
of them, anchored on its hash, so that every legacy record is sealed in by the first keyed
link (docs/security.md)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import insert, select, text

from app.cli import alembic_config
from app.db.models import AuditRecord
from app.db.session import create_database, transaction
from app.domain.audit import service, verification
from app.domain.audit.chain import GENESIS_HASH, record_hash
from app.domain.auth.actor import SYSTEM_ACTOR
from tests.support.databases import TEST_SECRETS, is_postgres
from tests.support.databases import test_settings as settings_for
from tests.support.scratch import scratch_database

BEFORE_KEYED_CHAIN = "5b2f0c81d7e4"
KEY = str(TEST_SECRETS["audit_key"]).encode()


@pytest.fixture
async def legacy_url() -> AsyncIterator[str]:
    """A database at the last revision before the keyed chain, holding three records sealed
    the old way (SHA-256), then migrated to head."""
    async with scratch_database("legacychain", migrated=False) as url:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, BEFORE_KEYED_CHAIN)
        database = create_database(settings_for(url), url=url)
        try:
            async with transaction(database.sessionmaker) as session:
                prev = GENESIS_HASH
                start = datetime(2026, 3, 1, tzinfo=UTC)
                for seq in range(1, 4):
                    row = AuditRecord(
                        seq=seq,
                        id=uuid.uuid4(),
                        occurred_at=start + timedelta(minutes=seq),
                        actor_sub="legacy-admin",
                        actor_role="admin",
                        action="api_key.create",
                        object_type="api_key",
                        object_id=str(uuid.uuid4()),
                        outcome="success",
                        request_id=f"legacy-{seq}",
                        client_address="203.0.113.9",
                        changes={"name": f"legacy {seq}"},
                        prev_hash=prev,
                    )
                    row.hash = prev = record_hash(service.record_fields(row), prev)
                    # The columns of that revision only (chain_version did not exist yet).
                    values = {
                        c.name: getattr(row, c.key)
                        for c in AuditRecord.__table__.columns
                        if c.name not in {"serial", "chain_version"}
                    }
                    await session.execute(insert(AuditRecord).values(**values))
        finally:
            await database.engine.dispose()
        await asyncio.to_thread(command.upgrade, config, "head")
        yield url


async def test_legacy_records_stay_verifiable_and_the_keyed_chain_continues_from_them(
    legacy_url,
):
    database = create_database(settings_for(legacy_url), url=legacy_url)
    try:
        async with transaction(database.sessionmaker) as session:
            versions = (
                await session.execute(select(AuditRecord.chain_version).order_by(AuditRecord.seq))
            ).scalars()
            assert list(versions) == [1, 1, 1]
            service.record(session, actor=SYSTEM_ACTOR, action="after.migration")
        report = await verification.verify(database.sessionmaker, key=KEY)
        assert report.valid, report.problem
        assert (report.records_checked, report.legacy_records, report.last_seq) == (4, 3, 4)
        async with database.sessionmaker() as session:
            rows = list(
                (await session.execute(select(AuditRecord).order_by(AuditRecord.seq))).scalars()
            )
        # The first keyed record is anchored on the last legacy hash.
        assert rows[3].chain_version == 2
        assert rows[3].prev_hash == rows[2].hash
    finally:
        await database.engine.dispose()


async def test_an_edited_legacy_record_is_still_found(legacy_url):
    database = create_database(settings_for(legacy_url), url=legacy_url)
    try:
        async with transaction(database.sessionmaker) as session:
            service.record(session, actor=SYSTEM_ACTOR, action="after.migration")
        await verification.seal_now(database.sessionmaker, KEY)
        async with transaction(database.sessionmaker) as session:
            if is_postgres():
                await session.execute(text("SET LOCAL session_replication_role = replica"))
            await session.execute(
                text("UPDATE audit_records SET actor_sub = 'forger' WHERE seq = 2")
            )
        report = await verification.verify(database.sessionmaker, key=KEY)
        assert not report.valid
        assert report.first_broken_seq == 2
    finally:
        await database.engine.dispose()
