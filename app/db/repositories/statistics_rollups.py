"""The case statistics read from the rollups on PostgreSQL (app/db/models/statistics.py):
a report sums a few thousand cells instead of aggregating a year's cases.

Cells are kept at a handful of grains; a report reads the coarsest that keeps every
dimension it groups or filters by, or that the caller's visibility needs. The cells and the
deltas the compactor has not folded yet are read in one statement (one snapshot), so the
figures are exact whether or not it has run. The compactor is here too: it moves deltas
into cells in batches, one process at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    MetaData,
    SmallInteger,
    String,
    Table,
    Uuid,
    and_,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy import Column as C
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Case
from app.db.models.statistics import (
    ALL,
    ALL_AGENCIES,
    UNCLASSIFIED,
    CaseStatCell,
    CaseStatDelta,
)
from app.db.repositories.statistics import (
    CaseScope,
    GroupColumn,
    _group,
    _month_of,
    _shanghai_date,
)

# The grains the expansion writes (migration case_stat_rollups: GRAINS), fewest cells
# first: a report reads the first that keeps what it needs.
RESPONDENT, INTAKE, BUSINESS_SYSTEM, CHANNEL = 1, 2, 4, 8
GRAINS = (
    0,
    CHANNEL,
    BUSINESS_SYSTEM,
    RESPONDENT,
    BUSINESS_SYSTEM | CHANNEL,
    RESPONDENT | INTAKE,
    RESPONDENT | BUSINESS_SYSTEM,
    RESPONDENT | CHANNEL,
    RESPONDENT | INTAKE | BUSINESS_SYSTEM | CHANNEL,
)
# The measures adr_case_stat_cells counts (named in the reads, so that the primary key's
# (grain, measure, month) serves them).
MEASURES = (
    "received",
    "administrative",
    "not_administrative",
    "dispatched",
    "collective",
    "passed",
    "closed",
    "days",
    "satisfaction",
    "performance",
    "offer",
)
_GROUP_DIMENSION: dict[GroupColumn | None, int] = {
    None: 0,
    "month": 0,
    "respondent": RESPONDENT,
    "business_system": BUSINESS_SYSTEM,
    "channel": CHANNEL,
}
# Counted for every month up to the period's end, not only within it: "open at the end".
CUMULATIVE = ("received", "closed")
_COMPACTOR_LOCK = 0x5354_4154  # pg_advisory_xact_lock key: one compactor at a time

# The view of the pending deltas as cells (migration case_stat_rollups); not a model.
_pending = Table(
    "case_stat_pending_cells",
    MetaData(),
    C("grain", SmallInteger),
    C("month", Date),
    C("measure", String),
    C("value", String),
    C("respondent_agency_id", Uuid),
    C("intake_agency_id", Uuid),
    C("business_system", String),
    C("channel", String),
    C("n", BigInteger),
)


def serves(session: AsyncSession, scope: CaseScope) -> bool:
    """Whether the rollups can answer: on PostgreSQL, for everyone but a lawyer, whose few
    cases are counted directly (their visibility is a list of cases, not a dimension)."""
    return session.get_bind().dialect.name == "postgresql" and scope.visible_lawyer_id is None


def grain_for(scope: CaseScope, group: GroupColumn | None) -> int:
    needed = _GROUP_DIMENSION[group]
    if scope.respondent_ids is not None:
        needed |= RESPONDENT
    if scope.business_system is not None:
        needed |= BUSINESS_SYSTEM
    if scope.visible_agency_id is not None:
        needed |= RESPONDENT | INTAKE
    return next(g for g in GRAINS if g & needed == needed)


@dataclass(frozen=True, slots=True)
class CellRow:
    """A sum of cells: ``key`` the group (None without), ``bucket`` 0 for the months before
    the period (cumulative measures only), 1..12 the month with group_by=month, else 1."""

    key: Any
    bucket: int
    measure: str
    value: str
    n: int


def _conditions(source: Any, grain: int, scope: CaseScope) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [source.c.grain == grain]
    if scope.respondent_ids is not None:
        found.append(source.c.respondent_agency_id.in_(scope.respondent_ids))
    if scope.business_system is not None:
        found.append(source.c.business_system == scope.business_system)
    if scope.visible_agency_id is not None:
        found.append(
            or_(
                source.c.respondent_agency_id == scope.visible_agency_id,
                source.c.intake_agency_id == scope.visible_agency_id,
            )
        )
    return found


def _key(source: Any, group: GroupColumn | None) -> ColumnElement[Any]:
    columns: dict[str, ColumnElement[Any]] = {
        "respondent": source.c.respondent_agency_id,
        "business_system": source.c.business_system,
        "channel": source.c.channel,
    }
    return columns.get(group or "", null())


async def cells(
    session: AsyncSession,
    *,
    scope: CaseScope,
    first_month: date,
    end_month: date,
    group: GroupColumn | None,
) -> list[CellRow]:
    """The period's cells summed by group, bucket, measure and value (see ``CellRow``):
    ``first_month`` is the period's first month, ``end_month`` the first after it."""
    grain = grain_for(scope, group)
    parts = []
    for source in (CaseStatCell.__table__, _pending):
        month = (
            func.extract("month", source.c.month).cast(SmallInteger)
            if group == "month"
            else literal(1)
        )
        # The period's cells, and the cumulative measures' cells of the months before it.
        for bucket, measures, months in (
            (month, MEASURES, and_(source.c.month >= first_month, source.c.month < end_month)),
            (literal(0), CUMULATIVE, source.c.month < first_month),
        ):
            parts.append(
                select(
                    _key(source, group).label("key"),
                    bucket.label("bucket"),
                    source.c.measure,
                    source.c.value,
                    source.c.n,
                ).where(*_conditions(source, grain, scope), source.c.measure.in_(measures), months)
            )
    both = union_all(*parts).subquery()
    stmt = select(
        both.c.key, both.c.bucket, both.c.measure, both.c.value, func.sum(both.c.n)
    ).group_by(both.c.key, both.c.bucket, both.c.measure, both.c.value)
    rows = (await session.execute(stmt)).all()
    return [
        CellRow(_shown_key(key, group), int(bucket), measure, value, int(n))
        for key, bucket, measure, value, n in rows
        if n
    ]


def _shown_key(key: Any, group: GroupColumn | None) -> Any:
    if group == "business_system" and key == UNCLASSIFIED:
        return None
    assert key not in (ALL, ALL_AGENCIES), "a grain without the grouped dimension"
    return key


async def deadlines_passed_while_open(
    session: AsyncSession,
    *,
    scope: CaseScope,
    start: datetime,
    month_ends: Sequence[datetime],
    group: GroupColumn | None,
    today: date,
) -> list[tuple[Any, int]]:
    """(group, cases) received in the period, still open, with a remedy deadline that fell
    on or after the day of receipt and before today: the one figure that moves with the
    date, so it is counted from the open cases (``ix_cases_open_deadlines``) and not kept."""
    received_on = _shanghai_date(Case.received_at, "postgresql")
    passed = or_(
        *(
            and_(due >= received_on, due < today)
            for due in (
                Case.reconsideration_due_on,
                Case.litigation_due_on,
                Case.outer_limit_due_on,
            )
        )
    )
    key = (
        _month_of(Case.received_at, month_ends) if group == "month" else _group(group, None, [])
    ).label("key")
    stmt = (
        select(key, func.count())
        .where(
            Case.closed_at.is_(None),
            Case.received_at >= start,
            Case.received_at < month_ends[-1],
            passed,
            *scope.conditions(),
        )
        .group_by(key)
    )
    return [(k, int(n)) for k, n in (await session.execute(stmt)).all()]


_COMPACT = text(
    """
    WITH moved AS (
        DELETE FROM case_stat_deltas
        WHERE id IN (SELECT id FROM case_stat_deltas ORDER BY id LIMIT :batch)
        RETURNING *
    ), counted AS (
        SELECT c.grain, c.month, c.measure, c.value, c.respondent_agency_id,
            c.intake_agency_id, c.business_system, c.channel, sum(c.n) AS n
        FROM moved m CROSS JOIN LATERAL adr_case_stat_cells(ROW(m.*)::case_stat_deltas) c
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ), folded AS (
        INSERT INTO case_stat_cells AS t (grain, month, measure, value, respondent_agency_id,
            intake_agency_id, business_system, channel, n)
        SELECT * FROM counted WHERE n <> 0
        ON CONFLICT (grain, measure, month, value, respondent_agency_id, intake_agency_id,
                     business_system, channel)
        DO UPDATE SET n = t.n + excluded.n
    )
    SELECT count(*) FROM moved
    """
)


async def compact(session: AsyncSession, *, batch: int = 5000) -> int | None:
    """Fold up to ``batch`` of the oldest deltas into the cells, in the caller's
    transaction. None when another process is compacting (it holds the lock until its
    commit); else how many deltas were folded."""
    locked = await session.scalar(
        select(func.pg_try_advisory_xact_lock(literal(_COMPACTOR_LOCK, BigInteger)))
    )
    if not locked:
        return None
    return int(await session.scalar(_COMPACT, {"batch": batch}) or 0)


async def pending_deltas(session: AsyncSession) -> int:
    """How many deltas wait for the compactor (the readiness and the tests look)."""
    return int(await session.scalar(select(func.count()).select_from(CaseStatDelta)) or 0)
