"""The statistics' rollups on PostgreSQL (SPEC 2.15, docs/performance.md): every figure read
from the cells equals the same figure counted from the cases, for every grouping, filter and
visibility, before and after the compactor folds the deltas, after a rebuild, and after the
writes that move a case or an offer between cells (reclassification, correction, reopening,
answers). tests/api/statistics checks the figures themselves by hand on both databases."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import today_shanghai
from app.db.models import CaseStatCell, CaseStatDelta
from app.db.repositories import statistics_rollups
from app.domain.auth.actor import Actor
from app.domain.statistics.cases import case_statistics
from app.domain.statistics.rollups import compact_pending
from app.domain.statistics.schemas import CaseFilters
from app.states.codes import Role
from tests.support.databases import become_owner, become_runtime_role
from tests.support.dispatch_world import OTHER_SYSTEM, SYSTEM, DispatchWorld
from tests.support.factories import API
from tests.support.statistics_world import PAST_YEAR, StatisticsWorld

pytestmark = pytest.mark.postgres_only

GROUPS = (None, "month", "region", "respondent_agency", "business_system", "channel")


@pytest.fixture
async def world(client, auth, session) -> StatisticsWorld:
    built = await StatisticsWorld(DispatchWorld(client, auth), session).build()
    # c2's declined offer moves with its case to the other business system.
    await built.classify("c2", SYSTEM)
    # c7's respondent and channel corrected: its cells move from R1 to R2.
    c7 = await built.case("c7")
    response = await client.patch(
        f"{API}/cases/{c7['id']}",
        json={"respondent_agency_id": built.agencies["R2"]["id"], "channel": "visit"},
        headers={**built.w.coordinator, "If-Match": f'"{c7["id"]}.{c7["version"]}"'},
    )
    assert response.status_code == 200, response.text
    return built


def _questions(world: StatisticsWorld) -> list[tuple[Actor, dict[str, Any]]]:
    supervisor = Actor(sub="rollup-supervisor", role=Role.SUPERVISOR)
    officers = [
        Actor(sub=f"rollup-{name}", role=Role.AGENCY_OFFICER, agency_id=_id(world, name))
        for name in ("R1", "R2")
    ]
    filters: list[dict[str, Any]] = [
        {},
        {"respondent_agency_id": _id(world, "R1")},
        {"business_system": SYSTEM},
        {"business_system": OTHER_SYSTEM},
        {"region_code": "371521"},
    ]
    return [
        (who, {"year": year, "group_by": group, "filters": CaseFilters(**narrowed)})
        for year in (PAST_YEAR, world.this_year)
        for group in GROUPS
        for who in (supervisor, *officers)
        for narrowed in filters
    ]


def _id(world: StatisticsWorld, name: str) -> uuid.UUID:
    return uuid.UUID(world.agencies[name]["id"])


async def _answers(world: StatisticsWorld, session: AsyncSession) -> list[dict[str, Any]]:
    return [
        (await case_statistics(session, actor=who, today=today_shanghai(), **asked)).model_dump(
            mode="json"
        )
        for who, asked in _questions(world)
    ]


async def _counted_from_cases(
    world: StatisticsWorld, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    with monkeypatch.context() as patched:
        patched.setattr(statistics_rollups, "serves", lambda *_: False)
        return await _answers(world, session)


async def _count(session, model) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)))


async def test_the_rollups_answer_as_the_cases_do_before_and_after_compaction(
    world, session, db, monkeypatch
):
    expected = await _counted_from_cases(world, session, monkeypatch)
    assert any(a["total"]["received"] for a in expected)
    assert await _count(session, CaseStatDelta) > 0  # nothing folded yet
    assert await _answers(world, session) == expected

    folded = await compact_pending(db.sessionmaker)
    assert folded > 0
    assert await _count(session, CaseStatDelta) == 0
    assert await _count(session, CaseStatCell) > 0
    assert await _answers(world, session) == expected

    # More writes after the fold: answers add the cells and the new deltas.
    await world.close("c9", "withdrawn")
    assert await _count(session, CaseStatDelta) > 0
    assert await _answers(world, session) == await _counted_from_cases(world, session, monkeypatch)


async def test_a_rebuild_from_the_cases_gives_the_same_cells(world, session, db):
    await compact_pending(db.sessionmaker)
    columns = [c for c in CaseStatCell.__table__.columns]
    kept = sorted((await session.execute(select(*columns).where(CaseStatCell.n != 0))).all())
    connection = await session.connection()
    await become_owner(connection)  # TRUNCATE: a maintenance task of the owner
    await session.execute(text("SELECT adr_case_stat_rebuild()"))
    await become_runtime_role(connection)
    rebuilt = sorted((await session.execute(select(*columns))).all())
    assert rebuilt == kept
    assert await _count(session, CaseStatDelta) == 0
