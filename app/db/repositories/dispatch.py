"""The facts dispatch decides on: who could take a case, and how busy they are."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Table,
    delete,
    func,
    select,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import fast_read
from app.db.fast_insert import fetch_in_transaction
from app.db.models import (
    Agency,
    Assignment,
    Lawyer,
    LawyerOpenChange,
    LawyerSpecialty,
    LawyerUnavailability,
    PolicyVersion,
    PoolMembership,
)
from app.db.repositories import policy as policy_repo
from app.states.codes import CertificateStatus, MembershipStatus

_ACTIVE = CertificateStatus.ACTIVE.value


# What the dispatch rules read of a lawyer (``app.domain.dispatch.rules.Lawyer``), as read:
# every dispatch builds one per pool lawyer and hands them to the rules without a copy (issue
# 16). A named tuple, its fields in the order of ``_CANDIDATE_ROWS_SQL``'s columns: on
# PostgreSQL each is made from its record's first columns at once (``_make``), ~1 µs a row
# instead of ~3 for twelve keyword arguments.
class CandidateRow(NamedTuple):
    lawyer_id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    certificate_active: bool
    region_code: str
    in_pool: bool
    last_offered_at: datetime | None
    open_assignments: int
    unavailable_today: bool
    specialties: Collection[str]
    refused_this_case: bool
    assigned_to_case: bool


_ROW_WIDTH = len(CandidateRow._fields)


@dataclass(slots=True)
class Candidates:
    """``candidates``' answer; ``policy``: the version in force read along, None when it was
    not (SQLite) or none has taken effect yet; ``respondent_region``, None when not read
    along (SQLite)."""

    rows: list[CandidateRow]
    policy: PolicyVersion | None
    respondent_region: str | None = None


async def candidates(
    session: AsyncSession,
    *,
    case_id: uuid.UUID,
    year: int,
    business_system: str | None,
    today: date,
    respondent_agency_id: uuid.UUID,
    refused: tuple[str, ...],
    assigned: tuple[str, ...],
    only: uuid.UUID | None = None,
) -> Candidates:
    """Active lawyers worth assessing for a case: the year's pool (any status) and the
    specialists of its business system, or just ``only``; whether each has an assignment on
    the case in one of the ``refused`` statuses, and in one of the ``assigned`` ones (the
    domain's to say which). Plain rows, not ORM objects: a
    pool has about a hundred lawyers and every dispatch reads all of them. On PostgreSQL
    one statement through the driver (``fast_read``), with the policy in force ``today``:
    building the three statements below through SQLAlchemy cost ~3 ms of CPU per dispatch
    (issue 16)."""
    records = await fast_read.fetch(
        session,
        CANDIDATES_SQL if only is None else ONE_CANDIDATE_SQL,
        year,
        (business_system or "") if only is None else only,
        today,
        case_id,
        MembershipStatus.APPROVED.value,
        respondent_agency_id,
        refused,
        assigned,
    )
    if records is not None:
        first, make = records[0], CandidateRow._make
        policy = policy_repo.read_along(session, first)
        return Candidates(
            [make(r[:_ROW_WIDTH]) for r in records if r[0] is not None],
            policy,
            first["respondent_region"],
        )
    if only is not None:
        wanted: Any = select(Lawyer.id).where(Lawyer.id == only)
    else:
        wanted = union(
            select(PoolMembership.lawyer_id).where(PoolMembership.year == year),
            select(LawyerSpecialty.lawyer_id).where(
                LawyerSpecialty.business_system == (business_system or "")
            ),
        )
    wanted_ids = select(wanted.subquery().c[0])
    connection = await session.connection()
    # One statement for the lawyers and their counts (correlated subqueries on indexed
    # columns; the open assignments are the count kept with the lawyer, see
    # ``open_assignments_now``, and the time of their last offer is kept on their row),
    # then their specialties and their history on this case.
    rows = (
        await connection.execute(
            select(
                Lawyer.id,
                Lawyer.name,
                Lawyer.agency_id,
                Lawyer.certificate_status,
                Agency.region_code,
                _count(
                    PoolMembership.lawyer_id == Lawyer.id,
                    PoolMembership.year == year,
                    PoolMembership.status == MembershipStatus.APPROVED,
                ).label("approved"),
                Lawyer.last_offered_at,
                open_assignments_now().label("open_assignments"),
                _count(
                    LawyerUnavailability.lawyer_id == Lawyer.id,
                    LawyerUnavailability.from_date <= today,
                    LawyerUnavailability.to_date >= today,
                ).label("away"),
            )
            .join(Agency, Agency.id == Lawyer.agency_id)
            .where(Lawyer.id.in_(wanted_ids), Lawyer.active.is_(True))
        )
    ).all()
    specialties: dict[uuid.UUID, set[str]] = {}
    for lawyer_id, system in await connection.execute(
        select(LawyerSpecialty.lawyer_id, LawyerSpecialty.business_system).where(
            LawyerSpecialty.lawyer_id.in_(wanted_ids)
        )
    ):
        specialties.setdefault(lawyer_id, set()).add(system)
    on_case: dict[uuid.UUID, list[str]] = {}
    for lawyer_id, status in await connection.execute(
        select(Assignment.lawyer_id, Assignment.status).where(Assignment.case_id == case_id)
    ):
        on_case.setdefault(lawyer_id, []).append(status)
    return Candidates(
        [
            CandidateRow(
                lawyer_id=row.id,
                name=row.name,
                agency_id=row.agency_id,
                certificate_active=row.certificate_status == _ACTIVE,
                specialties=frozenset(specialties.get(row.id, ())),
                region_code=row.region_code,
                in_pool=row.approved > 0,
                open_assignments=row.open_assignments,
                last_offered_at=row.last_offered_at,
                refused_this_case=any(s in refused for s in on_case.get(row.id, ())),
                assigned_to_case=any(s in assigned for s in on_case.get(row.id, ())),
                unavailable_today=row.away > 0,
            )
            for row in rows
        ],
        None,
    )


# ``candidates`` on PostgreSQL: the same lawyers and figures as the statements of the general
# path, with their specialties as an array and their history on this case as two flags. $1
# year, $2 the business system (or, in ``ONE_CANDIDATE_SQL``, the one lawyer wanted), $3
# today, $4 the case, $5 the approved status, $7 the refused statuses, $8 the assigned ones.
# Two statements, not one testing "$2 IS NULL": PostgreSQL planned that one anew for most
# calls (a plan for the values at hand looked cheaper than the generic one). The lawyer's
# columns come first, in ``CandidateRow``'s order. The history on the case and the
# specialties are joined as one aggregate each, not looked up per lawyer: per lawyer, the
# planner matched the case's assignments against each lawyer's whole history (a bitmap AND
# over ix_assignments_lawyer_status), a cost growing with every offer ever made: the
# statement took 2.3 ms of the server's time at ~25,000 assignments, 0.8 ms once joined.
# The pending open-count changes likewise: the table is small but churns (appended by
# answers and expiries, deleted by folds), and a probe of its index per lawyer waded
# through the dead entries of every fold since the last vacuum (~800 buffers under load).
def _candidate_rows(wanted: str) -> str:
    return f"""
    SELECT l.id, l.name, l.agency_id, l.certificate_status = '{_ACTIVE}' AS certificate_active,
        a.region_code,
        EXISTS (
            SELECT 1 FROM pool_memberships m
            WHERE m.lawyer_id = l.id AND m.year = $1 AND m.status = $5
        ) AS in_pool,
        l.last_offered_at,
        l.open_assignments + coalesce(pending.delta, 0) AS open_assignments,
        EXISTS (
            SELECT 1 FROM lawyer_unavailability u
            WHERE u.lawyer_id = l.id AND u.from_date <= $3 AND u.to_date >= $3
        ) AS away,
        coalesce(specialties.systems, '{{}}') AS specialties,
        coalesce(on_case.refused, false) AS refused_this_case,
        coalesce(on_case.assigned, false) AS assigned_to_case
    FROM lawyers l JOIN agencies a ON a.id = l.agency_id
    LEFT JOIN (
        SELECT o.lawyer_id, sum(o.delta) AS delta FROM lawyer_open_changes o GROUP BY o.lawyer_id
    ) AS pending ON pending.lawyer_id = l.id
    LEFT JOIN (
        SELECT s.lawyer_id, array_agg(s.business_system) AS systems
        FROM lawyer_specialties s GROUP BY s.lawyer_id
    ) AS specialties ON specialties.lawyer_id = l.id
    LEFT JOIN (
        SELECT y.lawyer_id, bool_or(y.status = ANY($7::text[])) AS refused,
            bool_or(y.status = ANY($8::text[])) AS assigned
        FROM assignments y WHERE y.case_id = $4 GROUP BY y.lawyer_id
    ) AS on_case ON on_case.lawyer_id = l.id
    WHERE l.active AND {wanted}
"""  # noqa: S608 (constants of ours)


_POOL_AND_SPECIALISTS = """l.id IN (
    SELECT lawyer_id FROM pool_memberships WHERE year = $1
    UNION SELECT lawyer_id FROM lawyer_specialties WHERE business_system = $2
)"""


# The candidates with what a dispatch reads besides, in one round trip: the policy version
# that took effect last on or before $3 with the calendar's fingerprint (as
# ``policy.latest_started`` reads them), on the first row only (a record decoded per row
# would cost more than the round trip it saves), and the region of the respondent $6. With
# no candidate there is still one row, its lawyer's columns NULL.
def _with_what_dispatch_reads(rows: str) -> str:
    return f"""
    SELECT c.*,
        CASE WHEN c.n IS NULL OR c.n = 1 THEN policy.p END AS policy_row,
        CASE WHEN c.n IS NULL OR c.n = 1 THEN {policy_repo.FINGERPRINT_COLUMN}
        END AS calendar_fingerprint,
        (SELECT r.region_code FROM agencies r WHERE r.id = $6) AS respondent_region
    FROM (SELECT 1) AS one
    {policy_repo.started_lateral("$3")}
    LEFT JOIN LATERAL (
        SELECT found.*, row_number() OVER () AS n FROM ({rows}) AS found
    ) AS c ON true
"""  # noqa: S608 (constants of ours)


CANDIDATES_SQL = _with_what_dispatch_reads(_candidate_rows(_POOL_AND_SPECIALISTS))
ONE_CANDIDATE_SQL = _with_what_dispatch_reads(_candidate_rows("l.id = $2::uuid"))


def _count(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).where(*conditions).scalar_subquery()


def open_assignments_now() -> ColumnElement[int]:
    """A lawyer's open assignments (offered, conflict_reported or accepted, on cases not
    closed; SPEC 2.7): the count kept on their row plus their changes not yet folded in (at
    most a few: every dispatch to the lawyer folds them). Database triggers append the changes
    in the transaction that makes them (migration a3d5f7b9c1e2), so this is always the count
    the definition gives, at a cost that does not grow with the lawyer's history."""
    pending = (
        select(func.coalesce(func.sum(LawyerOpenChange.delta), 0))
        .where(LawyerOpenChange.lawyer_id == Lawyer.id)
        .scalar_subquery()
    )
    return Lawyer.open_assignments + pending


# On PostgreSQL, through the driver (one round trip, no statement to build): the changes'
# delete and the count's update as one statement, in a function of the schema (migration
# d7f9b1c3e5a7) that ``adr_take_lawyer`` calls too. Folding is bookkeeping, not a change of
# the lawyer's record: updated_at stays.
_FOLD_OPEN_CHANGES_SQL = "SELECT adr_fold_open_assignments($1) AS open_assignments"


async def open_assignments_locked(session: AsyncSession, lawyer_id: uuid.UUID) -> int:
    """The lawyer's open assignments, for the capacity check of a dispatch that holds the
    lawyer's lock (``lock_lawyer``): their pending changes are folded into the count on their
    row, in this transaction. Changes other transactions append meanwhile are not visible
    and stay pending; only a holder of the lock folds, so no change is folded twice."""
    rows = await fetch_in_transaction(session, _FOLD_OPEN_CHANGES_SQL, lawyer_id)
    if rows is not None:
        return int(rows[0]["open_assignments"])
    connection = await session.connection()
    # Core on the tables: the ORM's bulk delete and update would look after the session's
    # objects, which never hold these columns' current values anyway.
    changes = cast(Table, LawyerOpenChange.__table__)
    lawyers = cast(Table, Lawyer.__table__)
    gone = delete(changes).where(changes.c.lawyer_id == lawyer_id).returning(changes.c.delta)
    if connection.dialect.name == "postgresql":
        # One round trip: the delete and the update as one statement.
        folded = gone.cte("folded")
        delta: Any = select(func.coalesce(func.sum(folded.c.delta), 0)).scalar_subquery()
    else:
        delta = sum((await connection.execute(gone)).scalars())
    stmt = (
        update(lawyers)
        .where(lawyers.c.id == lawyer_id)
        # Folding is bookkeeping, not a change of the lawyer's record: updated_at stays.
        .values(
            open_assignments=lawyers.c.open_assignments + delta,
            updated_at=lawyers.c.updated_at,
        )
        .returning(lawyers.c.open_assignments)
    )
    return int((await connection.execute(stmt)).scalar_one())


async def lock_lawyer(session: AsyncSession, lawyer_id: uuid.UUID) -> bool:
    """Serialise offers to one lawyer, so that their capacity is counted by one dispatch at a
    time (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already serialises writers). False
    when there is no such lawyer."""
    rows = await fetch_in_transaction(session, _LOCK_LAWYER_SQL, lawyer_id)
    if rows is not None:
        return bool(rows)
    stmt = select(Lawyer.id).where(Lawyer.id == lawyer_id).with_for_update()
    return (await session.execute(stmt)).first() is not None


async def take_lawyer(
    session: AsyncSession, ranked: Sequence[uuid.UUID], max_open: int
) -> tuple[uuid.UUID | None, list[uuid.UUID]]:
    """Lock the first of ``ranked`` (in their order) with fewer than ``max_open`` open
    assignments, counted under the lock: first passing over those a parallel dispatch
    holds, then, when all were held, waiting for them in rank. Returns that lawyer (None
    when none has room) and the ones found full, in the order tried.

    Only the lawyer returned stays locked: on PostgreSQL each one is tried in a
    subtransaction of ``adr_take_lawyer`` (migration d7f9b1c3e5a7) that is rolled back when
    they are full, their lock with it, so a dispatch never waits for one lawyer while it
    holds another; holding a full one while waiting could deadlock with a parallel dispatch
    doing the reverse. On SQLite, where BEGIN IMMEDIATE serialises writers, each is counted
    in rank."""
    if not ranked:
        return None, []
    rows = await fetch_in_transaction(session, TAKE_LAWYER_SQL, list(ranked), max_open)
    if rows is not None:
        return rows[0]["taken"], list(rows[0]["full_ids"])
    full: list[uuid.UUID] = []
    for lawyer_id in ranked:
        if await open_assignments_locked(session, lawyer_id) < max_open:
            return lawyer_id, full
        full.append(lawyer_id)
    return None, full


TAKE_LAWYER_SQL = "SELECT taken, full_ids FROM adr_take_lawyer($1::uuid[], $2)"

_LOCK_LAWYER_SQL = "SELECT id FROM lawyers WHERE id = $1 FOR UPDATE"


async def respondent_region(session: AsyncSession, agency_id: uuid.UUID) -> str:
    rows = await fast_read.fetch(
        session, "SELECT region_code FROM agencies WHERE id = $1", agency_id
    )
    if rows is not None:
        return str(rows[0]["region_code"])
    stmt = select(Agency.region_code).where(Agency.id == agency_id)
    return str((await session.execute(stmt)).scalar_one())
