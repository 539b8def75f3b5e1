"""A step's writes in one statement (app/db/writes.py): the change of a loaded row and the
rows it adds are all written, with the defaults a flush would have filled in, and nothing is
left for the session to write again; whatever else the session holds is written too, first.
On both databases (on SQLite the session writes them)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Agency, Event
from app.db.types import new_id
from app.db.writes import Writes


async def _agency(session: AsyncSession, name: str) -> Agency:
    system = (await session.execute(text("SELECT code FROM business_systems LIMIT 1"))).scalar()
    agency = Agency(
        name=f"{name} {uuid.uuid4().hex[:8]}",
        kind="administrative_organ",
        level="city",
        region_code="371500",
        business_system=system,
    )
    session.add(agency)
    await session.flush()
    return agency


def _event(subject: Agency, **data: Any) -> Event:
    return Event(
        id=new_id(),
        type="agency.renamed",
        occurred_at=now_utc(),
        subject_type="agency",
        subject_id=str(subject.id),
        data=data,
    )


async def _stored(session: AsyncSession, sql: str, **params: Any) -> Any:
    return (await session.execute(text(sql), params)).one()


async def test_a_change_and_the_rows_it_adds_are_written_and_nothing_is_left(
    session: AsyncSession,
) -> None:
    agency = await _agency(session, "甲局")
    written_before = agency.updated_at
    agency.short_name = "甲"
    writes = Writes()
    writes.change(agency, "short_name")
    writes.add(_event(agency, short_name="甲"))
    added = Agency(
        name=f"乙局 {uuid.uuid4().hex[:8]}",
        kind="administrative_organ",
        level="county",
        region_code="371502",
        business_system=agency.business_system,
    )
    writes.add(added)
    # A flush's defaults are there before the write, so the object reads as written.
    assert isinstance(added.id, uuid.UUID)
    assert added.active is True
    assert added.created_at is not None

    await writes.write(session)

    assert not session.dirty  # the change is written: the session has nothing to write again
    short_name, updated_at = await _stored(
        session, "SELECT short_name, updated_at FROM agencies WHERE name = :name", name=agency.name
    )
    assert short_name == "甲"
    assert agency.updated_at >= written_before  # the column's onupdate, as a flush
    assert updated_at is not None
    (event_data,) = await _stored(
        session, "SELECT data FROM events WHERE subject_id = :id", id=str(agency.id)
    )
    assert (event_data if isinstance(event_data, dict) else json.loads(event_data)) == {
        "short_name": "甲"
    }
    (count,) = await _stored(
        session, "SELECT count(*) FROM agencies WHERE name = :name", name=added.name
    )
    assert count == 1


async def test_a_change_not_named_is_still_written_by_the_session(
    session: AsyncSession,
) -> None:
    agency = await _agency(session, "丙局")
    agency.short_name = "丙"
    agency.region_code = "371521"  # set, but not named to the writes
    writes = Writes()
    writes.change(agency, "short_name")
    writes.add(_event(agency))
    await writes.write(session)
    await session.flush()
    row = await _stored(
        session,
        "SELECT short_name, region_code FROM agencies WHERE name = :name",
        name=agency.name,
    )
    assert tuple(row) == ("丙", "371521")


async def test_changes_pending_elsewhere_in_the_session_are_written_first(
    session: AsyncSession,
) -> None:
    first = await _agency(session, "丁局")
    second = await _agency(session, "戊局")
    first.short_name = "丁"  # pending, and not part of the writes
    second.short_name = "戊"
    writes = Writes()
    writes.change(second, "short_name")
    writes.add(_event(second))
    await writes.write(session)
    assert not session.dirty
    for agency, short_name in ((first, "丁"), (second, "戊")):
        (stored,) = await _stored(
            session, "SELECT short_name FROM agencies WHERE name = :name", name=agency.name
        )
        assert stored == short_name
