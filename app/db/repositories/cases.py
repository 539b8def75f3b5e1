"""Queries on cases, their applicants, timeline and numbering."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar, cast

from sqlalchemy import Row, Select, and_, bindparam, false, func, not_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached, raiseload, selectinload, with_expression
from sqlalchemy.sql.elements import BindParameter

from app.db import fast_read
from app.db.fast_insert import fetch_in_transaction
from app.db.models import (
    Assignment,
    Case,
    CaseApplicant,
    CaseClassification,
    CaseCounter,
    CaseEvent,
    CaseOutcome,
    PolicyVersion,
)
from app.db.repositories import case_search
from app.db.repositories import policy as policy_repo
from app.db.repositories.paging import Key, KeysetPage, read_page, read_row_page
from app.states.assignment import LIVE_OFFER_STATUSES
from app.states.codes import CaseStatus


async def allocate_case_number(session: AsyncSession, year: int) -> int:
    """The next number of the year, in one statement that inserts the year's counter or
    increments it. The counter row stays locked until the transaction ends, so concurrent
    intakes are numbered one after the other, and a rollback gives the number back."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(CaseCounter)
        .values(year=year, last_no=1)
        .on_conflict_do_update(
            index_elements=[CaseCounter.year], set_={"last_no": CaseCounter.last_no + 1}
        )
        .returning(CaseCounter.last_no)
    )
    return int((await session.execute(stmt)).scalar_one())


def _with_applicants() -> Select[Case]:
    return select(Case).options(selectinload(Case.applicants))


async def get(
    session: AsyncSession,
    case_id: uuid.UUID,
    *,
    for_update: bool = False,
    with_applicants: bool = True,
    overdue_at: datetime | None = None,
) -> Case | None:
    """The case; ``with_applicants=False`` for a change that never reads them (a dispatch):
    one round trip fewer, and touching them then raises instead of loading them unseen.
    With ``overdue_at``, ``Case.offers_overdue`` says whether a live offer on it is past its
    answer time then."""
    if for_update and not with_applicants:
        locked = await _lock_past_the_orm(session, case_id, overdue_at)
        if locked is not _TAKE_THE_ORM:
            return cast(Case | None, locked)
    stmt = _get_statement(for_update, with_applicants, overdue_at is not None)
    params = {"case_id": case_id, "overdue_at": overdue_at}
    return (await session.execute(stmt, params)).scalar_one_or_none()


_TAKE_THE_ORM = object()
# The live offers' statuses, as stored (constants of ours, part of the statement's text).
_LIVE = ", ".join(f"'{status.value}'" for status in sorted(LIVE_OFFER_STATUSES))
# $1 the case; with, when the caller asks whether an offer on it is overdue, the earliest
# time a live offer on it is due to be answered by. Only the case is a parameter: with the
# overdue time one too ("respond_by < $3", or a "$3 IS NULL" test), PostgreSQL planned the
# statement anew for most calls, a plan for the values at hand looking cheaper than the
# generic one (~0.2 ms of the server's time each).
LOCK_SQL = {
    False: """
        SELECT c.*, NULL::timestamptz AS earliest_respond_by FROM cases c WHERE c.id = $1
        FOR UPDATE OF c
    """,
    True: f"""
        SELECT c.*, (
            SELECT min(a.respond_by) FROM assignments a
            WHERE a.case_id = c.id AND a.status IN ({_LIVE})
        ) AS earliest_respond_by
        FROM cases c WHERE c.id = $1
        FOR UPDATE OF c
    """,  # noqa: S608 (constants of ours)
}


async def _lock_past_the_orm(
    session: AsyncSession, case_id: uuid.UUID, overdue_at: datetime | None
) -> Case | object | None:
    """``get(for_update=True, with_applicants=False)`` through the driver (PostgreSQL): the
    ORM's load of the locked case was ~9 % of a dispatch's CPU (docs/performance.md, v6).
    The row is built as the ORM's loader builds it and put in the session as a persistent
    object, so the changes made to it are tracked and flushed as usual; its applicants, not
    loaded, raise when touched. ``_TAKE_THE_ORM`` on SQLite, or when the session already
    holds the case (the ORM's load refreshes it in place)."""
    if session.identity_map.get(session.identity_key(Case, case_id)) is not None:
        return _TAKE_THE_ORM
    rows = await fetch_in_transaction(session, LOCK_SQL[overdue_at is not None], case_id)
    if rows is None:
        return _TAKE_THE_ORM
    if not rows:
        return None
    row = rows[0]
    earliest = row["earliest_respond_by"]
    overdue = None if overdue_at is None else earliest is not None and earliest < overdue_at
    case = fast_read.loaded(Case, row, offers_overdue=overdue)
    make_transient_to_detached(case)  # its history reset, as if just loaded; applicants expired
    session.add(case)
    return case


@functools.cache
def _get_statement(for_update: bool, with_applicants: bool, with_overdue: bool) -> Select[Case]:
    # Built once per shape: every change of a case loads it so (docs/performance.md).
    loads = (
        _with_applicants() if with_applicants else select(Case).options(raiseload(Case.applicants))
    )
    stmt = loads.where(Case.id == bindparam("case_id"))
    if with_overdue:
        overdue = (
            select(Assignment.id)
            .where(
                Assignment.case_id == Case.id,
                Assignment.status.in_(LIVE_OFFER_STATUSES),
                Assignment.respond_by < bindparam("overdue_at"),
            )
            .exists()
        )
        stmt = stmt.options(with_expression(Case.offers_overdue, overdue))
    if for_update:
        stmt = stmt.with_for_update(of=Case).execution_options(populate_existing=True)
    return stmt


# The case with its applicants, its latest classification and its current outcome, the
# policy version that took effect last on or before $2 (``policy.latest_started``) and the
# calendar's fingerprint, in one round trip (related rows as rows of their tables); with
# ``DuplicatesScope`` its possible duplicates too, by the conditions of ``_DUPLICATES_SQL``
# ($3 now, less the policy's window; $4 the reader's agency).
_TO_READ_COLUMNS = f"""
    SELECT c.*,
        ARRAY(
            SELECT a FROM case_applicants a WHERE a.case_id = c.id ORDER BY a.position
        ) AS applicant_rows,
        (
            SELECT k FROM case_classifications k WHERE k.case_id = c.id
            ORDER BY k.id DESC LIMIT 1
        ) AS classification_row,
        (
            SELECT o FROM case_outcomes o WHERE o.case_id = c.id
            ORDER BY o.recorded_at DESC, o.id DESC LIMIT 1
        ) AS outcome_row,
        policy.p AS policy_row,
        {policy_repo.FINGERPRINT_COLUMN} AS calendar_fingerprint"""  # noqa: S608 (a constant of ours)
_DUPLICATE_ROWS = f""",
        ARRAY(
            SELECT ROW(d.id, d.case_no, d.status, d.received_at) FROM cases d
            WHERE d.respondent_agency_id = c.respondent_agency_id
              AND (
                  d.status <> '{CaseStatus.CLOSED.value}'
                  OR d.received_at >= $3::timestamptz
                      - make_interval(days => (policy.p).duplicate_window_days)
              )
              AND d.id IN (
                  SELECT h.case_id FROM case_applicants h WHERE h.id_number_hash IN (
                      SELECT a.id_number_hash FROM case_applicants a WHERE a.case_id = c.id
                  )
              )
              AND d.id <> c.id
              AND ($4::uuid IS NULL OR d.respondent_agency_id = $4 OR d.intake_agency_id = $4)
            ORDER BY d.received_at DESC
            LIMIT 20
        ) AS duplicate_rows"""  # noqa: S608 (a code of the enum, no value)
_TO_READ_FROM = f"""
    FROM cases c {policy_repo.started_lateral("$2")}
    WHERE c.id = $1"""
_TO_READ_SQL = {
    False: _TO_READ_COLUMNS + _TO_READ_FROM,
    True: _TO_READ_COLUMNS + _DUPLICATE_ROWS + _TO_READ_FROM,
}


@dataclass(frozen=True)
class DuplicatesScope:
    """Which possible duplicates a reader sees (``possible_duplicates``'s conditions): cases
    open or received within the policy's window before ``now``, within ``agency``'s when the
    reader is an agency's."""

    now: datetime
    agency: uuid.UUID | None


@dataclass(frozen=True)
class CaseToRead:
    """A case as read to be shown, with what its view shows besides its own columns, when
    read with it (``related`` False: ask ``latest_classification`` and ``latest_outcome``;
    ``duplicates`` None: ask ``possible_duplicates``; ``policy`` None: ask the policy)."""

    case: Case
    related: bool = False
    classification: CaseClassification | None = None
    outcome: CaseOutcome | None = None
    duplicates: list[DuplicateRef] | None = None
    policy: PolicyVersion | None = None


async def get_to_read(
    session: AsyncSession,
    case_id: uuid.UUID,
    *,
    policy_on: date,
    duplicates: DuplicatesScope | None = None,
) -> CaseToRead | None:
    """The case with its applicants (and, on PostgreSQL, its latest classification, current
    outcome, the policy version that took effect last on or before ``policy_on`` with the
    calendar's fingerprint and, given their scope, its possible duplicates), for reading
    only: on PostgreSQL none of it is in the session (``fast_read``); whoever changes a case
    loads it with ``get(for_update=True)``."""
    args: list[Any] = [case_id, policy_on]
    if duplicates is not None:
        args += [duplicates.now, duplicates.agency]
    rows = await fast_read.fetch(session, _TO_READ_SQL[duplicates is not None], *args)
    if rows is None:
        case = await get(session, case_id)
        return None if case is None else CaseToRead(case)
    if not rows:
        return None
    row = rows[0]
    applicants = [fast_read.loaded(CaseApplicant, a) for a in row["applicant_rows"]]
    classification, outcome = row["classification_row"], row["outcome_row"]
    policy = policy_repo.read_along(session, row)
    return CaseToRead(
        fast_read.loaded(Case, row, applicants=applicants),
        related=True,
        classification=None
        if classification is None
        else fast_read.loaded(CaseClassification, classification),
        outcome=None if outcome is None else fast_read.loaded(CaseOutcome, outcome),
        # Without a version in force, the window is the earliest one's: asked apart.
        duplicates=None
        if duplicates is None or policy is None
        else [DuplicateRef(*d) for d in row["duplicate_rows"]],
        policy=policy,
    )


async def try_lock(session: AsyncSession, case_id: uuid.UUID) -> Case | None:
    """The case locked, or None when another transaction holds it (SKIP LOCKED): a sweeper
    leaves such a case to whoever is working on it."""
    stmt = (
        _with_applicants()
        .where(Case.id == case_id)
        .with_for_update(of=Case, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_by_external_ref(session: AsyncSession, system: str, external_id: str) -> Case | None:
    stmt = select(Case).where(Case.external_system == system, Case.external_id == external_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def possible_duplicates(
    session: AsyncSession,
    *,
    id_hashes: Sequence[str],
    respondent_agency_id: uuid.UUID,
    received_since: datetime,
    exclude_case_id: uuid.UUID | None,
    visible_agency_id: uuid.UUID | None = None,
    visible_case_ids: Select[uuid.UUID] | None = None,
    limit: int = 20,
) -> list[DuplicateRef]:
    """Open cases, or cases received within the window, against the same respondent with an
    applicant of the same identity (matched by keyed hash, never by the number itself).
    Only what a reference to them shows is read (every intake and every read asks)."""
    if not id_hashes:
        return []
    params: dict[str, Any] = {
        "hashes": list(id_hashes),
        "respondent": respondent_agency_id,
        "since": received_since,
        "exclude": exclude_case_id,
        "agency": visible_agency_id,
        "limit": limit,
    }
    if visible_case_ids is None:
        rows = await fast_read.fetch(
            session,
            _DUPLICATES_SQL,
            respondent_agency_id,
            received_since,
            list(id_hashes),
            exclude_case_id,
            visible_agency_id,
            limit,
        )
        if rows is not None:
            return [DuplicateRef(*row) for row in rows]
    stmt = _duplicates_statement(exclude_case_id is not None, visible_agency_id is not None)
    if visible_case_ids is not None:
        stmt = stmt.where(Case.id.in_(visible_case_ids))
    connection = await session.connection()
    return [DuplicateRef(*row) for row in await connection.execute(stmt, params)]


# The statement below, on PostgreSQL through the driver (``fast_read``); the optional
# conditions are switched off by NULL parameters rather than written per shape.
_DUPLICATES_SQL = f"""
    SELECT id, case_no, status, received_at FROM cases
    WHERE respondent_agency_id = $1
      AND (status <> '{CaseStatus.CLOSED.value}' OR received_at >= $2)
      AND id IN (SELECT case_id FROM case_applicants WHERE id_number_hash = ANY($3::text[]))
      AND ($4::uuid IS NULL OR id <> $4)
      AND ($5::uuid IS NULL OR respondent_agency_id = $5 OR intake_agency_id = $5)
    ORDER BY received_at DESC
    LIMIT $6
"""  # noqa: S608 (no value in the text: a code of the enum)


@functools.cache
def _duplicates_statement(exclude: bool, agency_scope: bool) -> Select[*tuple[Any, ...]]:
    """Built once per shape: every intake and every read asks, and constructing the
    statement would cost more than running it."""
    stmt = (
        select(Case.id, Case.case_no, Case.status, Case.received_at)
        .where(
            Case.respondent_agency_id == bindparam("respondent"),
            or_(Case.status != CaseStatus.CLOSED, Case.received_at >= bindparam("since")),
            Case.id.in_(
                select(CaseApplicant.case_id).where(
                    CaseApplicant.id_number_hash.in_(bindparam("hashes", expanding=True))
                )
            ),
        )
        .order_by(Case.received_at.desc())
        .limit(bindparam("limit"))
    )
    if exclude:
        stmt = stmt.where(Case.id != bindparam("exclude"))
    if agency_scope:
        stmt = _visible_only(stmt, bindparam("agency"), None)
    return stmt


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class DuplicateRef:
    id: uuid.UUID
    case_no: str
    status: str
    received_at: datetime


def _visible_only(
    stmt: S,
    visible_agency_id: uuid.UUID | BindParameter[Any] | None,
    visible_case_ids: Select[uuid.UUID] | None,
) -> S:
    """Narrow a query to the cases an agency officer (own agency as respondent or intake) or
    a lawyer (cases they hold) may see."""
    if visible_agency_id is not None:
        stmt = stmt.where(
            or_(
                Case.respondent_agency_id == visible_agency_id,
                Case.intake_agency_id == visible_agency_id,
            )
        )
    if visible_case_ids is not None:
        stmt = stmt.where(Case.id.in_(visible_case_ids))
    return stmt


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    channel: str | None = None
    business_system: str | None = None
    respondent_agency_id: uuid.UUID | None = None
    priority: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    # With ``warning`` True, cases with any remedy deadline within these dates (inclusive);
    # False, the cases with none there.
    warning_window: tuple[date, date] | None = None
    warning: bool | None = None
    text: str | None = None


async def list_page(
    session: AsyncSession,
    *,
    filters: CaseFilters,
    after: Key | None,
    limit: int,
    visible_agency_id: uuid.UUID | None = None,
    visible_case_ids: Select[uuid.UUID] | None = None,
) -> KeysetPage[Row[Any]]:
    """Newest first (ids are time-ordered UUIDs), keyset-paged on the id. The summary's
    columns only, as plain rows: a page is 50 cases, each with kilobytes of facts and
    claims that a list does not show."""
    if not filters.text and visible_case_ids is None:
        found = await _list_page_pg(session, filters, after, limit, visible_agency_id)
        if found is not None:
            return found
    stmt: Select[*tuple[Any, ...]] = select(*SUMMARY_COLUMNS)
    f = filters
    for column, value in (
        (Case.status, f.status),
        (Case.channel, f.channel),
        (Case.business_system, f.business_system),
        (Case.respondent_agency_id, f.respondent_agency_id),
        (Case.priority, f.priority),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    stmt = _visible_only(stmt, visible_agency_id, visible_case_ids)
    if f.received_from is not None:
        stmt = stmt.where(Case.received_at >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(Case.received_at < f.received_to)
    if f.warning_window is not None and f.warning is not None:
        start, end = f.warning_window
        in_window = or_(
            *(
                and_(column.is_not(None), column >= start, column <= end)
                for column in (
                    Case.reconsideration_due_on,
                    Case.litigation_due_on,
                    Case.outer_limit_due_on,
                )
            )
        )
        # A case without dates has no warning: NULL must count as "not in the window".
        flagged = func.coalesce(in_window, false())
        stmt = stmt.where(flagged if f.warning else not_(flagged))
    if f.text:
        before_id = after[0] if after else None
        stmt = stmt.where(await case_search.text_matches(session, f.text, before_id=before_id))
    return await read_row_page(session, stmt, (Case.id,), after=after, limit=limit, desc=True)


async def _list_page_pg(
    session: AsyncSession,
    f: CaseFilters,
    after: Key | None,
    limit: int,
    visible_agency_id: uuid.UUID | None,
) -> KeysetPage[Any] | None:
    """``list_page`` as SQL written here and run on the driver (``fast_read``): building and
    compiling the statement through SQLAlchemy cost more than running it. The same
    conditions; the text search and a lawyer's scope take the general path. None on SQLite."""
    args: list[Any] = []

    def param(value: Any) -> str:
        args.append(value.value if isinstance(value, Enum) else value)
        return f"${len(args)}"

    where = [
        f"{column} = {param(value)}"
        for column, value in (
            ("status", f.status),
            ("channel", f.channel),
            ("business_system", f.business_system),
            ("respondent_agency_id", f.respondent_agency_id),
            ("priority", f.priority),
        )
        if value is not None
    ]
    if visible_agency_id is not None:
        agency = param(visible_agency_id)
        where.append(f"(respondent_agency_id = {agency} OR intake_agency_id = {agency})")
    if f.received_from is not None:
        where.append(f"received_at >= {param(f.received_from)}")
    if f.received_to is not None:
        where.append(f"received_at < {param(f.received_to)}")
    if f.warning_window is not None and f.warning is not None:
        start, end = param(f.warning_window[0]), param(f.warning_window[1])
        in_window = " OR ".join(
            f"({column} IS NOT NULL AND {column} >= {start} AND {column} <= {end})"
            for column in ("reconsideration_due_on", "litigation_due_on", "outer_limit_due_on")
        )
        flagged = f"coalesce({in_window}, false)"
        where.append(flagged if f.warning else f"NOT {flagged}")
    if after is not None:
        where.append(f"id < {param(after[0])}")
    columns = ", ".join(c.key for c in SUMMARY_COLUMNS)
    sql = (
        f"SELECT {columns} FROM cases"  # noqa: S608 (column names; every value a parameter)
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY id DESC LIMIT {param(limit)}"
    )
    records = await fast_read.fetch(session, sql, *args)
    if records is None:
        return None
    rows = [dict(r) for r in records]
    if len(rows) < limit or not rows:
        return KeysetPage(rows, None)
    return KeysetPage(rows, (rows[-1]["id"],))


# What a case summary shows (CaseSummary).
SUMMARY_COLUMNS = (
    Case.id,
    Case.case_no,
    Case.status,
    Case.channel,
    Case.received_at,
    Case.intake_agency_id,
    Case.respondent_agency_id,
    Case.title,
    Case.applicant_count,
    Case.collective,
    Case.business_system,
    Case.priority,
    Case.outcome_type,
)


async def events(
    session: AsyncSession, case_id: uuid.UUID, *, after: Key | None, limit: int
) -> KeysetPage[CaseEvent]:
    """The timeline in order of time."""
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id)
    key = (CaseEvent.occurred_at, CaseEvent.id)
    return await read_page(session, stmt, key, after=after, limit=limit)


async def classifications(
    session: AsyncSession, case_id: uuid.UUID, *, after: Key | None, limit: int
) -> KeysetPage[CaseClassification]:
    """A page of the case's classifications, oldest first (ids are time-ordered, and a
    case's classifications are written one at a time under its row lock)."""
    stmt = select(CaseClassification).where(CaseClassification.case_id == case_id)
    return await read_page(session, stmt, (CaseClassification.id,), after=after, limit=limit)


async def latest_classification(
    session: AsyncSession, case_id: uuid.UUID
) -> CaseClassification | None:
    """For reading (on PostgreSQL not in the session: ``fast_read``)."""
    rows = await fast_read.fetch(
        session,
        "SELECT * FROM case_classifications WHERE case_id = $1 ORDER BY id DESC LIMIT 1",
        case_id,
    )
    if rows is not None:
        return fast_read.loaded(CaseClassification, rows[0]) if rows else None
    stmt = (
        select(CaseClassification)
        .where(CaseClassification.case_id == case_id)
        .order_by(CaseClassification.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_outcome(session: AsyncSession, case_id: uuid.UUID) -> CaseOutcome | None:
    stmt = (
        select(CaseOutcome)
        .where(CaseOutcome.case_id == case_id)
        .order_by(CaseOutcome.recorded_at.desc(), CaseOutcome.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def applicants_of(session: AsyncSession, case_id: uuid.UUID) -> list[CaseApplicant]:
    stmt = (
        select(CaseApplicant)
        .where(CaseApplicant.case_id == case_id)
        .order_by(CaseApplicant.position)
    )
    return list((await session.execute(stmt)).scalars())
