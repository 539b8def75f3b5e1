"""The text search's character pairs on PostgreSQL: what ``adr_bigrams`` gives, that the
list's query is one the GIN index serves (the query's expression must stay the index's), and
that a term common in the statistics goes without it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import ColumnElement, event, select, text

from app.db.models import Agency, Case
from app.db.repositories import case_search
from app.db.repositories import cases as repo
from app.db.repositories.cases import CaseFilters

pytestmark = pytest.mark.postgres_only


async def pairs(session, *texts: str) -> set[str]:
    placeholders = ", ".join(f":t{i}" for i in range(len(texts)))
    params = {f"t{i}": t for i, t in enumerate(texts)}
    result = await session.execute(text(f"SELECT adr_bigrams({placeholders})"), params)
    return set(result.scalar_one())


async def test_pairs_are_lower_cased_without_whitespace_or_punctuation(session):
    assert await pairs(session, "对ABC 公司，拆迁。") == {"对a", "ab", "bc", "公司", "拆迁"}
    assert await pairs(session, "拆") == set()
    assert await pairs(session, "") == set()


async def test_the_three_texts_of_a_case_are_kept_apart(session):
    assert await pairs(session, "行政补偿", "决定书", "撤销") == {
        "行政",
        "政补",
        "补偿",
        "决定",
        "定书",
        "撤销",
    }


async def _plan_of_list(session, engine, term: str) -> str:
    statements: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await repo.list_page(session, filters=CaseFilters(text=term), after=None, limit=50)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    statement, parameters = statements[-1]  # after the probe, the list's own query
    # An empty table is read whole whatever the indexes: forbid that, and the plain index
    # scans, so that only an index that can answer the search is left.
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    await session.execute(text("SET LOCAL enable_indexscan = off"))
    connection = await session.connection()
    result = await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return "\n".join(row[0] for row in result)


@pytest.mark.parametrize("term", ["拆迁", "养老金", "行政争议化解"])
async def test_the_list_search_uses_the_pair_index(session, engine, term):
    plan = await _plan_of_list(session, engine, term)
    assert "ix_case_search_pairs" in plan, plan


async def test_a_single_character_does_not_use_it(session, engine):
    plan = await _plan_of_list(session, engine, "拆")
    assert "ix_case_search_pairs" not in plan, plan


async def _add_cases(session, count: int, facts: str) -> list[uuid.UUID]:
    agency = (await session.execute(select(Agency.id).limit(1))).scalar_one()
    now = datetime.now(UTC)
    cases = [
        Case(
            case_no=f"T{uuid.uuid4().hex[:12]}",
            status="received",
            channel="petition",
            received_at=now,
            intake_agency_id=agency,
            respondent_agency_id=agency,
            title=f"案件{i}",
            facts=f"{facts}第{i}号。",
            claims="请求依法处理",
            act_type="other",
            act_made_on=date(2026, 1, 1),
            applicant_count=1,
            collective=False,
            created_by="test",
        )
        for i in range(count)
    ]
    session.add_all(cases)
    await session.flush()
    return [c.id for c in cases]


def _sql(predicate: ColumnElement[bool]) -> str:
    return str(predicate)


async def _uses_pairs(session, term: str, before_id: uuid.UUID | None = None) -> bool:
    return "adr_bigrams" in _sql(await case_search.text_matches(session, term, before_id=before_id))


async def test_a_term_common_among_the_newest_cases_goes_without_the_pair_index(session):
    older = await _add_cases(session, 400, "申请人认为房屋征收补偿标准偏低")
    newer = await _add_cases(session, 400, "申请人对罚款决定不服")
    # The newest cases before the page decide: none of the newest has 补偿 ...
    assert await _uses_pairs(session, "补偿")
    assert not await _uses_pairs(session, "罚款")
    # ... but a page further down, among the older ones, every case has it.
    assert not await _uses_pairs(session, "补偿", before_id=newer[0])
    assert not await _uses_pairs(session, "征收补偿", before_id=newer[0])
    assert await _uses_pairs(session, "渔船", before_id=newer[0])
    page = await repo.list_page(
        session, filters=CaseFilters(text="征收补偿"), after=(newer[0],), limit=50
    )
    assert [c.id for c in page.rows] == list(reversed(older))[:50]


async def _found_by_pairs(session, term: str) -> set[uuid.UUID]:
    found = await session.execute(
        text("SELECT case_id FROM case_search_pairs WHERE pairs @> adr_bigrams(:term)"),
        {"term": term},
    )
    return set(found.scalars())


async def test_pairs_follow_a_case_inserted_and_corrected_without_the_intake(session):
    # The intake writes its case's pairs itself (outside the counter's lock); a case stored
    # any other way gets them from the trigger, and a changed text replaces them.
    [case_id] = await _add_cases(session, 1, "申请人对渔船扣押决定不服")
    assert case_id in await _found_by_pairs(session, "渔船扣押")
    await session.execute(
        text("UPDATE cases SET facts = '申请人对养殖证注销不服' WHERE id = :id"), {"id": case_id}
    )
    assert case_id not in await _found_by_pairs(session, "渔船扣押")
    assert case_id in await _found_by_pairs(session, "养殖证")
    page = await repo.list_page(
        session, filters=CaseFilters(text="养殖证注销"), after=None, limit=5
    )
    assert [c.id for c in page.rows] == [case_id]
