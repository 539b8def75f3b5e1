"""The statistics' rollups under parallel writes (PostgreSQL, committed database): intakes
from several processes append their deltas while several compactors fold them; every delta
is folded exactly once (the figures equal those counted from the cases) and none is left."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from app.clock import today_shanghai
from app.db.models import CaseStatDelta
from app.db.repositories import statistics_rollups
from app.domain.auth.actor import Actor
from app.domain.statistics.cases import case_statistics
from app.domain.statistics.rollups import compact_pending
from app.domain.statistics.schemas import CaseFilters
from app.states.codes import Role
from tests.support import databases
from tests.support.app_cluster import Cluster, cluster
from tests.support.factories import CASES, agencies_of_kind, case_body

pytestmark = pytest.mark.postgres_only

PROCESSES = 3
INTAKES = 36
YEAR = 2025
CHANNELS = ("petition", "visit", "letter")


@pytest.fixture
async def processes() -> AsyncIterator[Cluster]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = await databases.prepare_database("adr_conc_stats_" + worker)
    async with cluster(databases.test_settings(url), PROCESSES) as c:
        yield c


async def _report(processes: Cluster, group_by: Any) -> dict[str, Any]:
    async with processes.sessionmaker(0)() as session:
        report = await case_statistics(
            session,
            actor=Actor(sub="conc-supervisor", role=Role.SUPERVISOR),
            year=YEAR,
            today=today_shanghai(),
            filters=CaseFilters(),
            group_by=group_by,
        )
        return report.model_dump(mode="json")


async def test_parallel_compactors_fold_each_delta_once(processes, monkeypatch):
    coordinator = processes.headers(Role.CENTER_COORDINATOR, sub="conc-center")
    admin = processes.headers(Role.ADMIN, sub="conc-admin")
    organs = await agencies_of_kind(processes.client(0), admin, "administrative_organ")
    act = {"type": "administrative_penalty", "made_on": "2025-05-01", "known_on": "2025-05-03"}
    before = (await _report(processes, None))["total"]["received"]

    writing = asyncio.gather(
        *(
            processes.client(i).post(
                CASES,
                json=case_body(
                    organs[0]["id"],
                    organs[1 + i % 3]["id"],
                    channel=CHANNELS[i % len(CHANNELS)],
                    received_at=f"2025-{1 + i % 12:02d}-10T10:00:00+08:00",
                    act=act,
                ),
                headers=coordinator,
            )
            for i in range(INTAKES)
        )
    )
    folded: list[int] = []

    async def compactor(i: int) -> None:
        while not writing.done():
            folded.append(await compact_pending(processes.sessionmaker(i)))
            await asyncio.sleep(0)

    responses, *_ = await asyncio.gather(writing, *(compactor(i) for i in range(PROCESSES)))
    assert [r.status_code for r in responses] == [201] * INTAKES
    folded.append(await compact_pending(processes.sessionmaker(0)))
    assert sum(folded) >= INTAKES  # one delta per intake at least, each folded once
    assert await processes.scalar(select(func.count()).select_from(CaseStatDelta)) == 0

    for group_by in (None, "month", "respondent_agency", "channel"):
        from_cells = await _report(processes, group_by)
        with monkeypatch.context() as patched:
            patched.setattr(statistics_rollups, "serves", lambda *_: False)
            assert from_cells == await _report(processes, group_by), group_by
    assert (await _report(processes, None))["total"]["received"] == before + INTAKES
