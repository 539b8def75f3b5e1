"""The statistics' queries (SPEC 2.15): one aggregate statement per cohort, grouped in the
database, over the covering indexes ``ix_cases_stats_received``, ``ix_cases_stats_closed``
and ``ix_assignments_stats_offered`` (docs/performance.md). The caller's visibility (SPEC
4.2) is a condition of every statement, never a filter applied afterwards.

Month buckets are computed with the month ends as bound UTC instants (no time-zone function
per row); the few Asia/Shanghai calendar dates a figure needs per row (days to close,
deadlines) are the one dialect-specific expression below.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Agency,
    Assignment,
    BusinessSystem,
    Case,
    CaseOutcome,
    Lawyer,
    LawyerSpecialty,
    PoolMembership,
)
from app.db.repositories.assignments import case_ids_of_lawyer
from app.states.codes import (
    AssignmentStatus,
    CertificateStatus,
    DispatchRole,
    MembershipStatus,
    PerformanceStatus,
)

GroupColumn = Literal["month", "respondent", "business_system", "channel"]
NOT_ADMINISTRATIVE = "not_administrative_dispute"
_ACCEPTED_STATUSES = (AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED)


@dataclass(frozen=True, slots=True)
class CaseScope:
    """Which cases count: the filters and the caller's visibility, as SQL conditions."""

    respondent_ids: tuple[uuid.UUID, ...] | None = None
    business_system: str | None = None
    visible_agency_id: uuid.UUID | None = None
    visible_lawyer_id: uuid.UUID | None = None
    # The lawyer's cases, read first (``lawyer_case_ids``): a list of keys makes every
    # statement look the cases up by primary key, where a subquery let the planner scan
    # a year of cases to join them (ten times slower for a busy lawyer at 1M cases).
    visible_case_ids: tuple[uuid.UUID, ...] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.respondent_ids is not None:
            found.append(Case.respondent_agency_id.in_(self.respondent_ids))
        if self.business_system is not None:
            found.append(Case.business_system == self.business_system)
        if self.visible_agency_id is not None:
            found.append(
                or_(
                    Case.respondent_agency_id == self.visible_agency_id,
                    Case.intake_agency_id == self.visible_agency_id,
                )
            )
        if self.visible_case_ids is not None:
            found.append(Case.id.in_(self.visible_case_ids))
        elif self.visible_lawyer_id is not None:
            found.append(Case.id.in_(case_ids_of_lawyer(self.visible_lawyer_id)))
        return found

    @property
    def narrows_cases(self) -> bool:
        return any(
            v is not None
            for v in (self.respondent_ids, self.business_system, self.visible_agency_id)
        )


async def lawyer_case_ids(session: AsyncSession, lawyer_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
    """The cases a lawyer holds or held an assignment on (what their statistics count)."""
    stmt = case_ids_of_lawyer(lawyer_id).distinct()
    return tuple((await session.scalars(stmt)).all())


def _month_of(column: Any, month_ends: Sequence[datetime]) -> ColumnElement[int]:
    """1..12: the first month whose end is after ``column`` (rows are within the year)."""
    return case(
        *((column < end, literal(i + 1)) for i, end in enumerate(month_ends[:-1])),
        else_=literal(12),
    )


def _bucket(column: Any, month_ends: Sequence[datetime]) -> ColumnElement[int]:
    """1..12 as ``_month_of``, or 13 for NULL or not before the year's end."""
    return case(
        (column.is_(None), literal(13)),
        *((column < end, literal(i + 1)) for i, end in enumerate(month_ends)),
        else_=literal(13),
    )


def _group(
    group: GroupColumn | None, moment: Any, month_ends: Sequence[datetime]
) -> ColumnElement[Any]:
    if group == "month":
        return _month_of(moment, month_ends)
    columns: dict[str, ColumnElement[Any]] = {
        "respondent": Case.__table__.c.respondent_agency_id,
        "business_system": Case.__table__.c.business_system,
        "channel": Case.__table__.c.channel,
    }
    return columns[group] if group is not None else literal(None)


def _shanghai_date(column: Any, dialect: str) -> ColumnElement[Any]:
    """The Asia/Shanghai calendar date of an instant. Shanghai has kept UTC+8 without
    daylight saving since 1991, so a fixed offset gives the same dates as the zone's rules,
    at a fraction of the cost per row (measured: the zone's rules cost ~1 µs a value, and
    the statistics convert a few per case)."""
    if dialect == "postgresql":
        return cast(func.timezone(text("INTERVAL '+08:00'"), column), Date())
    return func.date(column, "+8 hours")


def _days_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return _shanghai_date(later, dialect) - _shanghai_date(earlier, dialect)
    return cast(
        func.julianday(func.date(later, "+8 hours"))
        - func.julianday(func.date(earlier, "+8 hours")),
        Integer,
    )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def _rows(session: AsyncSession, stmt: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await session.execute(stmt)).all()]


async def received(
    session: AsyncSession,
    *,
    scope: CaseScope,
    start: datetime,
    month_ends: Sequence[datetime],
    group: GroupColumn | None,
    today: date,
) -> list[tuple[Any, ...]]:
    """(group, channel, received, administrative, not administrative, dispatched,
    collective, deadline passed while open) of the cases received in the period."""
    dialect = _dialect(session)
    received_on = _shanghai_date(Case.received_at, dialect)
    closed_on = _shanghai_date(Case.closed_at, dialect)
    until = case((Case.closed_at.is_(None), literal(today, Date())), else_=closed_on)
    passed = or_(
        *(
            and_(due.is_not(None), due >= received_on, due < until)
            for due in (
                Case.reconsideration_due_on,
                Case.litigation_due_on,
                Case.outer_limit_due_on,
            )
        )
    )
    not_administrative = Case.outcome_type == NOT_ADMINISTRATIVE
    key = _group(group, Case.received_at, month_ends).label("key")
    stmt = (
        select(
            key,
            Case.channel,
            func.count(),
            _count_if(
                and_(
                    Case.business_system.is_not(None),
                    or_(Case.outcome_type.is_(None), ~not_administrative),
                )
            ),
            _count_if(not_administrative),
            _count_if(Case.first_offered_at.is_not(None)),
            _count_if(Case.collective.is_(True)),
            _count_if(passed),
        )
        .where(Case.received_at >= start, Case.received_at < month_ends[-1], *scope.conditions())
        .group_by(key, Case.channel)
    )
    return await _rows(session, stmt)


async def closed(
    session: AsyncSession,
    *,
    scope: CaseScope,
    start: datetime,
    month_ends: Sequence[datetime],
    group: GroupColumn | None,
) -> list[tuple[Any, ...]]:
    """(group, outcome type, closed, satisfaction sum, satisfaction count, fulfilled,
    breached) of the cases closed in the period."""
    key = _group(group, Case.closed_at, month_ends).label("key")
    stmt = (
        select(
            key,
            Case.outcome_type,
            func.count(),
            func.coalesce(func.sum(Case.satisfaction_score), 0),
            func.count(Case.satisfaction_score),
            _count_if(Case.performance_status == PerformanceStatus.FULFILLED),
            _count_if(Case.performance_status == PerformanceStatus.BREACHED),
        )
        .where(Case.closed_at >= start, Case.closed_at < month_ends[-1], *scope.conditions())
        .group_by(key, Case.outcome_type)
    )
    return await _rows(session, stmt)


async def days_to_close(
    session: AsyncSession,
    *,
    scope: CaseScope,
    start: datetime,
    month_ends: Sequence[datetime],
    group: GroupColumn | None,
) -> list[tuple[Any, int, int]]:
    """(group, days from receipt to closing, cases): a histogram, from which the median and
    the 90th percentile are exact (days are whole numbers)."""
    key = _group(group, Case.closed_at, month_ends).label("key")
    days = _days_between(Case.closed_at, Case.received_at, _dialect(session)).label("days")
    stmt = (
        select(key, days, func.count())
        .where(
            Case.closed_at >= start,
            Case.closed_at < month_ends[-1],
            Case.outcome_type != NOT_ADMINISTRATIVE,
            *scope.conditions(),
        )
        .group_by(key, days)
    )
    return [(k, int(d), int(n)) for k, d, n in await _rows(session, stmt)]


async def open_buckets(
    session: AsyncSession,
    *,
    scope: CaseScope,
    start: datetime,
    month_ends: Sequence[datetime],
    group: GroupColumn | None,
) -> list[tuple[Any, int, int, int]]:
    """(group, r, c, cases): cases received by the end of month r and closed before the end
    of month c (13: not by the year's end), among those that may be open at a month end of
    the period. Two statements, each served by the closed index: still open, and closed in
    or after the period (only the year's end matters without months)."""
    end = month_ends[-1]
    group_key = None if group == "month" else group
    key = _group(group_key, None, month_ends).label("key")
    received_bucket = _month_of(Case.received_at, month_ends)
    closed_from = start if group == "month" else end
    found: list[tuple[Any, int, int, int]] = []
    for closure in (Case.closed_at.is_(None), Case.closed_at >= closed_from):
        closed_bucket = _bucket(Case.closed_at, month_ends).label("c")
        r = (received_bucket if group == "month" else literal(12)).label("r")
        stmt = (
            select(key, r, closed_bucket, func.count())
            .where(closure, Case.received_at < end, *scope.conditions())
            .group_by(key, r, closed_bucket)
        )
        found.extend((k, int(rr), int(c), int(n)) for k, rr, c, n in await _rows(session, stmt))
    return found


async def earlier_closures(
    session: AsyncSession,
    *,
    scope: CaseScope,
    start: datetime,
    month_ends: Sequence[datetime],
    group: GroupColumn | None,
) -> list[tuple[Any, int, int, int]]:
    """(group, a, b, closures): closures of reopened cases that lasted from before the end
    of month a to the end of month b or later (13: past the year's end)."""
    end = month_ends[-1]
    group_key = None if group == "month" else group
    key = _group(group_key, None, month_ends).label("key")
    recorded = _month_of(CaseOutcome.recorded_at, month_ends).label("a")
    if group != "month":
        recorded = literal(12).label("a")
    reopened = _bucket(CaseOutcome.reopened_at, month_ends).label("b")
    stmt = (
        select(key, recorded, reopened, func.count())
        .select_from(CaseOutcome)
        .join(Case, Case.id == CaseOutcome.case_id)
        .where(
            CaseOutcome.reopened_at.is_not(None),
            CaseOutcome.recorded_at < end,
            CaseOutcome.reopened_at >= (start if group == "month" else end),
            *scope.conditions(),
        )
        .group_by(key, recorded, reopened)
    )
    return [(k, int(a), int(b), int(n)) for k, a, b, n in await _rows(session, stmt)]


def offer_class() -> ColumnElement[str]:
    return case(
        (Assignment.status.in_(_ACCEPTED_STATUSES), literal(AssignmentStatus.ACCEPTED.value)),
        (
            and_(
                Assignment.status == AssignmentStatus.WITHDRAWN,
                Assignment.responded_at.is_not(None),
                Assignment.decline_reason.is_(None),
            ),
            literal(AssignmentStatus.ACCEPTED.value),
        ),
        (Assignment.status == AssignmentStatus.DECLINED, literal(AssignmentStatus.DECLINED.value)),
        (Assignment.status == AssignmentStatus.EXPIRED, literal(AssignmentStatus.EXPIRED.value)),
        else_=null(),
    )


async def offers(
    session: AsyncSession,
    *,
    scope: CaseScope,
    start: datetime,
    month_ends: Sequence[datetime],
    group: GroupColumn | None,
) -> list[tuple[Any, str | None, int]]:
    """(group, accepted | declined | expired | None, offers) of the offers made in the
    period. A lawyer counts their own offers; the cases are joined only when a filter, the
    visibility or the grouping needs them."""
    key = (
        _month_of(Assignment.offered_at, month_ends)
        if group == "month"
        else _group(group, None, month_ends)
    ).label("key")
    result = offer_class().label("result")
    stmt = select(key, result, func.count()).where(
        Assignment.offered_at >= start, Assignment.offered_at < month_ends[-1]
    )
    cases_scope = CaseScope(
        respondent_ids=scope.respondent_ids,
        business_system=scope.business_system,
        visible_agency_id=scope.visible_agency_id,
    )
    if cases_scope.narrows_cases or group not in (None, "month"):
        stmt = stmt.join(Case, Case.id == Assignment.case_id).where(*cases_scope.conditions())
    if scope.visible_lawyer_id is not None:
        stmt = stmt.where(Assignment.lawyer_id == scope.visible_lawyer_id)
    stmt = stmt.group_by(key, result)
    return [(k, r, int(n)) for k, r, n in await _rows(session, stmt)]


# --- lawyers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LawyerScope:
    agency_id: uuid.UUID | None = None
    lawyer_id: uuid.UUID | None = None
    business_system: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.agency_id is not None:
            found.append(Lawyer.agency_id == self.agency_id)
        if self.lawyer_id is not None:
            found.append(Lawyer.id == self.lawyer_id)
        if self.business_system is not None:
            found.append(
                Lawyer.id.in_(
                    select(LawyerSpecialty.lawyer_id).where(
                        LawyerSpecialty.business_system == self.business_system
                    )
                )
            )
        return found


async def lawyer_counts(
    session: AsyncSession,
    *,
    scope: LawyerScope,
    first_day: date,
    last_day: date,
    end: datetime,
) -> list[tuple[uuid.UUID, int, int]]:
    """(agency, active at the year's end, new in the year) per agency."""
    changed = Lawyer.certificate_status_changed_at
    active_now = Lawyer.certificate_status == CertificateStatus.ACTIVE
    active_at_end = and_(
        Lawyer.certificate_issued_on <= last_day,
        or_(
            and_(active_now, or_(changed.is_(None), changed < end)),
            and_(~active_now, changed >= end),
        ),
    )
    new = and_(Lawyer.certificate_issued_on >= first_day, Lawyer.certificate_issued_on <= last_day)
    stmt = (
        select(Lawyer.agency_id, _count_if(active_at_end), _count_if(new))
        .where(*scope.conditions())
        .group_by(Lawyer.agency_id)
    )
    return [(a, int(x), int(y)) for a, x, y in await _rows(session, stmt)]


async def pool_members(
    session: AsyncSession, *, scope: LawyerScope, year: int
) -> list[tuple[uuid.UUID, int]]:
    """(agency, approved memberships of the year) per agency of the lawyer."""
    stmt = (
        select(Lawyer.agency_id, func.count())
        .select_from(PoolMembership)
        .join(Lawyer, Lawyer.id == PoolMembership.lawyer_id)
        .where(
            PoolMembership.year == year,
            PoolMembership.status == MembershipStatus.APPROVED,
            *scope.conditions(),
        )
        .group_by(Lawyer.agency_id)
    )
    return [(a, int(n)) for a, n in await _rows(session, stmt)]


async def cases_presided(
    session: AsyncSession, *, scope: LawyerScope, start: datetime, end: datetime
) -> list[tuple[uuid.UUID, int]]:
    """(agency, distinct cases) whose presiding offer made in the period to a lawyer of the
    agency was accepted."""
    stmt = (
        select(Lawyer.agency_id, func.count(Assignment.case_id.distinct()))
        .select_from(Assignment)
        .join(Lawyer, Lawyer.id == Assignment.lawyer_id)
        .where(
            Assignment.offered_at >= start,
            Assignment.offered_at < end,
            Assignment.role == DispatchRole.PRESIDING,
            offer_class() == AssignmentStatus.ACCEPTED.value,
            *scope.conditions(),
        )
        .group_by(Lawyer.agency_id)
    )
    return [(a, int(n)) for a, n in await _rows(session, stmt)]


# --- reference ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgencyRef:
    id: uuid.UUID
    name: str
    region_code: str


async def agencies(session: AsyncSession) -> dict[uuid.UUID, AgencyRef]:
    """Every agency's name and region (a few hundred rows): labels and the region filter."""
    stmt = select(Agency.id, Agency.name, Agency.region_code)
    return {row[0]: AgencyRef(*row) for row in await _rows(session, stmt)}


async def business_system_labels(session: AsyncSession) -> dict[str, str]:
    stmt = select(BusinessSystem.code, BusinessSystem.label_zh)
    return {code: label for code, label in await _rows(session, stmt)}
