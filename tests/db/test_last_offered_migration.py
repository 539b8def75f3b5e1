"""Migration c6e8a0b2d4f6 gives every lawyer stored before it the time of their latest
offer, on both databases, and from then on the database keeps it: a later offer moves it
forward, an earlier one (stored late) never moves it back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from app.cli import alembic_config
from tests.db.test_open_assignments_migration import _cases, _run, assignments, lawyers
from tests.support.databases import owner_url
from tests.support.scratch import scratch_database

BEFORE = "b5c7d9e1f3a4"
kept = sa.table(
    "lawyers",
    sa.column("id", sa.Uuid()),
    sa.column("last_offered_at", sa.DateTime(timezone=True)),
)


def _lawyer(lawyer: uuid.UUID, organ: str, n: int, now: datetime) -> dict[str, object]:
    return {
        "id": lawyer,
        "name": "律师",
        "agency_id": uuid.UUID(organ),
        "certificate_no": f"LAST{n}",
        "certificate_issued_on": now.date(),
        "certificate_status": "active",
        "active": True,
        "created_at": now,
        "updated_at": now,
    }


def _offer(case_id: uuid.UUID, lawyer: uuid.UUID, at: datetime) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "case_id": case_id,
        "lawyer_id": lawyer,
        "role": "participating",
        "status": "declined",
        "offered_at": at,
        "respond_by": at + timedelta(hours=48),
        "reasoning": {},
        "offered_by": "migration-test",
        "version": 1,
    }


def _utc(found: list[tuple[uuid.UUID, datetime | None]]) -> dict[uuid.UUID, datetime | None]:
    # SQLite gives the stored UTC back without its zone.
    return {i: at if at is None or at.tzinfo else at.replace(tzinfo=UTC) for i, at in found}


async def test_the_migration_keeps_the_latest_offer_of_each_lawyer():
    async with scratch_database("lastoffer") as url:
        owner = owner_url(url)
        config = alembic_config(owner)
        organ, case_ids = await _cases(url, 3)
        await asyncio.to_thread(command.downgrade, config, BEFORE)
        now = datetime.now(UTC).replace(microsecond=0)
        offered, never = uuid.uuid4(), uuid.uuid4()
        latest = now - timedelta(days=1)
        await _run(
            owner,
            sa.insert(lawyers).values(
                [_lawyer(x, organ, i, now) for i, x in enumerate((offered, never))]
            ),
            sa.insert(assignments).values(
                [
                    _offer(case_ids[0], offered, now - timedelta(days=30)),
                    _offer(case_ids[1], offered, latest),
                    _offer(case_ids[2], offered, now - timedelta(days=3)),
                ]
            ),
        )

        await asyncio.to_thread(command.upgrade, config, "head")

        [found] = await _run(owner, sa.select(kept.c.id, kept.c.last_offered_at))
        assert _utc(found) == {offered: latest, never: None}

        # From now on the database keeps it: forward with a later offer, never back.
        later = now + timedelta(minutes=5)
        [_, _, found] = await _run(
            owner,
            sa.insert(assignments).values([_offer(case_ids[0], never, later)]),
            sa.insert(assignments).values([_offer(case_ids[1], offered, latest - timedelta(1))]),
            sa.select(kept.c.id, kept.c.last_offered_at),
        )
        assert _utc(found) == {offered: latest, never: later}
