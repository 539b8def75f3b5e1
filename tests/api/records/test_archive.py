"""A lawyer's work archive (SPEC 2.12): a year built through the API, every figure checked by
hand, against the list endpoints, per role, and as a workbook."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import update

from app.clock import now_utc, today_shanghai
from app.db.models import Assignment
from app.states.codes import Role
from tests.support.dispatch_world import DispatchWorld, outcome_body
from tests.support.factories import API, list_all

Json = dict[str, Any]


class ArchiveWorld:
    """Lawyer L of agency A: five offers this year and three activities."""

    def __init__(self, w: DispatchWorld, session: Any) -> None:
        self.w, self.session = w, session

    async def build(self) -> ArchiveWorld:
        w = self.w
        self.agency = await w.agency()
        self.lawyer = await w.lawyer(self.agency, name="赵律师")
        self.other_lawyer = await w.lawyer()
        self.officer = w.officer(self.agency["id"])
        lawyer_id = self.lawyer["id"]
        today = today_shanghai()

        # c1: presided, mediated with two sessions and 3.5 hours, fulfilled, rated 4, typical.
        self.c1 = await w.case()
        await w.accept(await w.offer(self.c1["id"], lawyer_id=lawyer_id))
        body = outcome_body(
            "mediated",
            sessions=[{"held_on": today.isoformat()}, {"held_on": today.isoformat()}],
            hours=[{"lawyer_id": lawyer_id, "hours": 3.5}],
        )
        assert (await w.outcome(self.c1["id"], body)).status_code in (200, 201)
        for what, data in (
            ("performance", {"status": "fulfilled"}),
            ("satisfaction", {"score": 4}),
            (
                "typical-nomination",
                {"reason": "具有示范意义", "summary": "征收补偿争议经调解达成协议并已履行。"},
            ),
        ):
            response = await w.follow_up(self.c1["id"], what, data)
            assert response.status_code == 200, response.text
        # c2: declined for another reason. c3: left unanswered until it expired.
        c2 = await w.case()
        await w.decline(await w.offer(c2["id"], lawyer_id=lawyer_id), "other", "出差")
        c3 = await w.case()
        expired = await w.offer(c3["id"], lawyer_id=lawyer_id)
        await self.session.execute(
            update(Assignment)
            .where(Assignment.id == uuid.UUID(expired["id"]))
            .values(respond_by=now_utc() - timedelta(minutes=5))
        )
        await self.session.commit()
        assert (await w.assignment(expired["id"]))["status"] == "expired"
        # c4: accepted, still open. c5: a work conflict the agency released them from.
        c4 = await w.case()
        await w.accept(await w.offer(c4["id"], lawyer_id=lawyer_id))
        c5 = await w.case()
        conflict = await w.offer(c5["id"], lawyer_id=lawyer_id)
        await w.decline(conflict, "work_conflict", "同日开庭")
        assert (await w.decide(conflict, self.lawyer, "release")).status_code == 200

        async def record(headers: Json, **body: Any) -> Json:
            sent = {"occurred_on": today.isoformat(), "lawyer_ids": [lawyer_id], "title": "履职"}
            response = await w.client.post(
                f"{API}/activities", json={**sent, **body}, headers=headers
            )
            assert response.status_code == 201, response.text
            created: Json = response.json()
            return created

        self.training = await record(self.officer, kind="training", hours=6)
        self.lecture = await record(
            self.officer, kind="law_lecture", quantity=2, participants=40, title="=HYPERLINK(1)"
        )
        # Not in the archive: still waiting for the agency, and last year's.
        await record(w.as_lawyer(self.lawyer), kind="seminar")
        await record(self.officer, kind="training", hours=4, occurred_on=f"{today.year - 1}-06-01")
        return self

    async def archive(self, headers: Json | None = None, **params: Any) -> Any:
        return await self.w.client.get(
            f"{API}/lawyers/{self.lawyer['id']}/archive",
            params={"year": today_shanghai().year, **params},
            headers=headers or self.w.supervisor,
        )


@pytest.fixture
async def world(client: Any, auth: Any, session: Any) -> ArchiveWorld:
    return await ArchiveWorld(DispatchWorld(client, auth), session).build()


async def test_every_figure_of_the_year(world: ArchiveWorld):
    response = await world.archive()
    assert response.status_code == 200, response.text
    archive = response.json()
    assert archive["lawyer"]["name"] == "赵律师"
    assert archive["lawyer"]["agency_id"] == world.agency["id"]
    assert [m["status"] for m in archive["pool"]] == ["approved"]
    assert archive["offers"] == {
        "received": 5,
        "accepted": 2,
        "declined_by_reason": {"other": 1, "work_conflict": 1},
        "expired": 1,
        "withdrawn_before_answer": 0,
        "awaiting_answer": 0,
        "conflicts_reported": 1,
        "conflict_rulings": {"release": 1},
    }
    assert archive["cases"] == {
        "presided": 2,
        "participated": 0,
        "outcomes_by_type": {"mediated": 1},
        "resolved": 1,
        "sessions": 2,
        "hours": 3.5,
        "satisfaction_average": 4.0,
        "agreements_fulfilled": 1,
        "agreements_breached": 0,
        "typical_nominated": 1,
        "typical_selected": 0,
    }
    assert archive["activities"] == {
        "count": 2,
        "by_kind": {
            "training": {"count": 1, "quantity": 1, "participants": 0, "hours": 6.0},
            "law_lecture": {"count": 1, "quantity": 2, "participants": 40, "hours": 0.0},
        },
        "training_hours": 6.0,
    }
    assert archive["honours"] == {"in_year": 0, "all_time": 0}


async def test_the_figures_equal_the_lists(world: ArchiveWorld, client):
    archive = (await world.archive()).json()
    lawyer_id = world.lawyer["id"]
    offers = await world.w.assignments(lawyer_id=lawyer_id)
    assert {a["id"] for a in offers} == {c["assignment_id"] for c in archive["case_list"]}
    assert archive["offers"]["received"] == len(offers)
    assert archive["offers"]["expired"] == sum(a["status"] == "expired" for a in offers)
    year = today_shanghai().year
    confirmed = await list_all(
        client,
        world.w.supervisor,
        f"{API}/activities",
        lawyer_id=lawyer_id,
        status="confirmed",
        occurred_from=f"{year}-01-01",
        occurred_to=f"{year}-12-31",
    )
    assert {a["id"] for a in confirmed} == {a["id"] for a in archive["activity_list"]}
    assert archive["activities"]["count"] == len(confirmed)
    closed = [c for c in archive["case_list"] if c["outcome_type"]]
    assert [c["case_id"] for c in closed] == [world.c1["id"]]


async def test_another_year_is_empty(world: ArchiveWorld):
    archive = (await world.archive(year=today_shanghai().year + 1)).json()
    assert archive["offers"]["received"] == 0
    assert archive["activities"]["count"] == 0
    assert archive["case_list"] == archive["activity_list"] == archive["pool"] == []


async def test_who_reads_an_archive(world: ArchiveWorld):
    w = world.w
    readers = (w.admin, w.supervisor, w.coordinator, world.officer, w.as_lawyer(world.lawyer))
    for headers in readers:
        assert (await world.archive(headers)).status_code == 200
    other_agency = w.auth(Role.AGENCY_OFFICER, agency_id=uuid.uuid4())
    for headers in (w.as_lawyer(world.other_lawyer), other_agency):
        assert (await world.archive(headers)).status_code == 404
    unknown = await w.client.get(
        f"{API}/lawyers/{uuid.uuid4()}/archive",
        params={"year": today_shanghai().year},
        headers=w.admin,
    )
    assert unknown.status_code == 404


async def test_the_year_is_required_and_bounded(world: ArchiveWorld):
    w = world.w
    url = f"{API}/lawyers/{world.lawyer['id']}/archive"
    assert (await w.client.get(url, headers=w.admin)).status_code == 422
    assert (await w.client.get(url, params={"year": 2021}, headers=w.admin)).status_code == 422


async def test_the_workbook_says_the_same(world: ArchiveWorld):
    response = await world.archive(format="xlsx")
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    year = today_shanghai().year
    assert f"filename*=UTF-8''{quote(f'工作档案_赵律师_{year}.xlsx')}" in disposition
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["summary", "cases", "activities"]
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["offers.received"] == 5
    assert summary["cases.hours"] == 3.5
    assert summary["activities.by_kind.training.hours"] == 6
    assert book["cases"].max_row == 1 + 5
    header = [cell.value for cell in book["activities"][1]]
    titles = [
        row[header.index("title")]
        for row in book["activities"].iter_rows(min_row=2, values_only=True)
    ]
    # A title that looks like a formula stays text (formula injection).
    assert "'=HYPERLINK(1)" in titles
