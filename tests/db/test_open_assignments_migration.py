"""Migration a3d5f7b9c1e2 gives every lawyer stored before it their open assignments (SPEC
2.7: offered, conflict_reported or accepted, on cases not closed), on both databases, and
from then on the database keeps the count."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from alembic import command

from app.cli import alembic_config
from app.db.session import create_engine
from app.domain.auth.tokens import mint_token
from app.main import create_app
from app.states.codes import Role
from tests.conftest import CLIENT_ADDRESS
from tests.support.databases import owner_url
from tests.support.databases import test_settings as settings_for
from tests.support.factories import case_body
from tests.support.scratch import scratch_database

BEFORE = "f4b8c2e6a1d3"

# The tables as they were before the migration (the models already have the new column).
lawyers = sa.table(
    "lawyers",
    sa.column("id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("agency_id", sa.Uuid()),
    sa.column("certificate_no", sa.String()),
    sa.column("certificate_issued_on", sa.Date()),
    sa.column("certificate_status", sa.String()),
    sa.column("active", sa.Boolean()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
assignments = sa.table(
    "assignments",
    sa.column("id", sa.Uuid()),
    sa.column("case_id", sa.Uuid()),
    sa.column("lawyer_id", sa.Uuid()),
    sa.column("role", sa.String()),
    sa.column("status", sa.String()),
    sa.column("offered_at", sa.DateTime(timezone=True)),
    sa.column("respond_by", sa.DateTime(timezone=True)),
    sa.column("reasoning", sa.JSON()),
    sa.column("offered_by", sa.String()),
    sa.column("version", sa.Integer()),
)
cases = sa.table("cases", sa.column("id", sa.Uuid()), sa.column("status", sa.String()))


async def _run(url: str, *statements: Any) -> list[Any]:
    engine = create_engine(settings_for(url))
    try:
        async with engine.begin() as connection:
            results = [await connection.execute(s) for s in statements]
            return [r.all() if r.returns_rows else None for r in results]
    finally:
        await engine.dispose()


async def _cases(url: str, n: int) -> tuple[str, list[uuid.UUID]]:
    """(a seeded administrative organ, ``n`` cases against it), through the service."""
    settings = settings_for(url)
    app: Any = create_app(settings)
    headers = {"Authorization": f"Bearer {mint_token(settings, sub='m', role=Role.ADMIN)}"}
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            organs = await client.get(
                "/api/v1/agencies", params={"kind": "administrative_organ"}, headers=headers
            )
            organ = organs.json()["items"][0]["id"]
            ids = []
            for _ in range(n):
                created = await client.post(
                    "/api/v1/cases", json=case_body(organ, organ), headers=headers
                )
                assert created.status_code == 201, created.text
                ids.append(uuid.UUID(created.json()["id"]))
            return organ, ids
    finally:
        await app.state.db.engine.dispose()


async def test_the_migration_counts_the_open_assignments_stored_before_it():
    async with scratch_database("openasg") as url:
        owner = owner_url(url)
        config = alembic_config(owner)
        organ, case_ids = await _cases(url, 3)
        await asyncio.to_thread(command.downgrade, config, BEFORE)
        now = datetime.now(UTC)
        busy, idle = uuid.uuid4(), uuid.uuid4()
        rows = [
            # busy: offered, accepted and conflict_reported on open cases count; declined
            # and completed do not; the accepted one on a case closed does not.
            (case_ids[0], busy, "accepted"),
            (case_ids[1], busy, "offered"),
            (case_ids[2], busy, "conflict_reported"),
            (case_ids[0], idle, "declined"),
            (case_ids[1], idle, "completed"),
        ]
        await _run(
            owner,
            sa.insert(lawyers).values(
                [
                    {
                        "id": lawyer,
                        "name": "律师",
                        "agency_id": uuid.UUID(organ),
                        "certificate_no": f"MIG{i}",
                        "certificate_issued_on": date(2022, 1, 1),
                        "certificate_status": "active",
                        "active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i, lawyer in enumerate((busy, idle))
                ]
            ),
            sa.insert(assignments).values(
                [
                    {
                        "id": uuid.uuid4(),
                        "case_id": case_id,
                        "lawyer_id": lawyer,
                        "role": "participating",
                        "status": status,
                        "offered_at": now,
                        "respond_by": now + timedelta(hours=48),
                        "reasoning": {},
                        "offered_by": "migration-test",
                        "version": 1,
                    }
                    for case_id, lawyer, status in rows
                ]
            ),
            sa.update(cases).where(cases.c.id == case_ids[2]).values(status="closed"),
        )

        await asyncio.to_thread(command.upgrade, config, "head")

        counted = sa.table(
            "lawyers", sa.column("id", sa.Uuid()), sa.column("open_assignments", sa.Integer())
        )
        [found] = await _run(owner, sa.select(counted.c.id, counted.c.open_assignments))
        assert dict(found) == {busy: 2, idle: 0}
        # From now on the database keeps it: the case reopens, its offer counts again.
        changes = sa.table(
            "lawyer_open_changes", sa.column("lawyer_id", sa.Uuid()), sa.column("delta")
        )
        [_, pending] = await _run(
            owner,
            sa.update(cases).where(cases.c.id == case_ids[2]).values(status="in_mediation"),
            sa.select(changes.c.lawyer_id, changes.c.delta),
        )
        assert pending == [(busy, 1)]
