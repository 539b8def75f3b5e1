"""Storing a new case: the intake's last statement, and its hot path.

Case numbers are consecutive with no gaps (SPEC 2.5), so the year's counter row is locked from
the moment a number is taken until the commit, and every other intake waits for it. On
PostgreSQL one statement therefore takes the number and writes the case, its applicants and
its "received" event together, and the commit follows at once: the lock is held for that
statement and the commit, never across a turn of the event loop between two statements
(docs/performance.md). The rows go straight to the driver (``fast_insert``); the ORM objects
that describe them stay out of the session. The search's pairs of the case's texts are
written just before, outside the lock. SQLite serialises writers anyway and takes the
ordinary path.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db import fast_read
from app.db.base import column_values
from app.db.fast_insert import driver_connection, insert_rows, translated, typed_parameters
from app.db.models import (
    AuditRecord,
    Case,
    CaseApplicant,
    CaseEvent,
    Event,
    IdempotencyKey,
    PolicyVersion,
)
from app.db.repositories import policy as policy_repo
from app.db.repositories.cases import (
    DuplicateRef,
    DuplicatesScope,
    allocate_case_number,
)
from app.db.repositories.idempotency import KeyRow
from app.db.types import new_id
from app.states.codes import CaseStatus

# A case number is the year's prefix and the year's count, at least this many digits wide
# (``LC2026-00042``). Both ways of numbering a case format it from these two: ``case_number``
# here, and the numbered insert, which pads the count in SQL.
CASE_NO_WIDTH = 5


def case_number_prefix(year: int) -> str:
    return f"LC{year}-"


def case_number(year: int, seq: int) -> str:
    return f"{case_number_prefix(year)}{seq:0{CASE_NO_WIDTH}d}"


def _give_identity(case: Case, event: CaseEvent) -> None:
    # What a flush would have filled in from the columns' defaults.
    now = now_utc()
    case.id = case.id or new_id()
    case.created_at = case.created_at or now
    case.updated_at = case.updated_at or now
    for applicant in case.applicants:
        applicant.id = applicant.id or new_id()
        applicant.case_id = case.id
    event.id = event.id or new_id()
    event.case_id, event.occurred_at = case.id, now


async def store_new_case(
    session: AsyncSession,
    case: Case,
    event: CaseEvent,
    outbox: dict[str, Any],
    year: int,
    audit: AuditRecord,
    key: KeyRow | None = None,
) -> str:
    """Give the case the year's next number and write it with its applicants, its timeline
    event, its outbox event (whose ``data.case_no`` gets the number too) and the request's
    idempotency key with its answer, if any, as the last statement before the commit;
    returns the number. The intake's audit record and the search's pairs are written just
    before, by one statement. A case whose external reference is already stored raises
    ``IntegrityError`` from a savepoint, so that the caller can still look that case up."""
    _give_identity(case, event)
    driver = await driver_connection(session)
    if driver is None:
        await insert_rows(session, AuditRecord, [column_values(audit)])
        case.case_no = case_number(year, await allocate_case_number(session, year))
        event.data = {**event.data, "case_no": case.case_no}
        await insert_rows(session, Case, [column_values(case)])
        await insert_rows(session, CaseApplicant, [column_values(a) for a in case.applicants])
        await insert_rows(session, CaseEvent, [column_values(event)])
        outbox["data"] = {**outbox["data"], "case_no": case.case_no}
        await insert_rows(session, Event, [outbox])
        if key is not None:
            body = key.values["response_body"].replace(key.marker, case.case_no)
            await insert_rows(session, IdempotencyKey, [{**key.values, "response_body": body}])
        return case.case_no
    await _write_before_numbering(driver, case, audit)
    if case.external_system is None:
        case.case_no = await _store_pg(driver, case, event, outbox, year, key)
    else:
        # asyncpg's own savepoint: the statement bypasses the session, whose savepoint
        # would only be emitted with its next statement of its own.
        async with driver.transaction():
            case.case_no = await _store_pg(driver, case, event, outbox, year, key)
    return case.case_no


async def _write_before_numbering(
    driver: asyncpg.Connection, case: Case, audit: AuditRecord
) -> None:
    """The audit record, and the search's pairs of the case's texts (app/db/models/cases.py:
    CaseSearchPairs), in one statement before the numbering one: so that the pairs' index is
    not maintained while the counter is locked (their foreign key to the case is checked at
    the commit), and a round trip fewer than two statements."""
    row = column_values(audit)
    sql, converters = _audit_and_pairs(tuple(row))
    args = [case.id, case.title, case.facts, case.claims]
    args += [convert(value) for convert, value in zip(converters, row.values(), strict=True)]
    try:
        await driver.execute(sql, *args)
    except asyncpg.PostgresError as error:
        raise translated(error, sql) from error


@functools.cache
def _audit_and_pairs(audit_keys: tuple[str, ...]) -> tuple[str, Any]:
    params, converters = typed_parameters(_table(AuditRecord), audit_keys, 5)
    columns = ", ".join(f'"{k}"' for k in audit_keys)
    # Names from the model's metadata, every value a parameter.
    sql = f"""
        WITH audit AS (INSERT INTO audit_records ({columns}) VALUES ({", ".join(params)}))
        INSERT INTO case_search_pairs (case_id, pairs) VALUES ($1, adr_bigrams($2, $3, $4))
    """  # noqa: S608
    return sql, converters


async def _store_pg(
    driver: asyncpg.Connection,
    case: Case,
    event: CaseEvent,
    outbox: dict[str, Any],
    year: int,
    key: KeyRow | None,
) -> str:
    case_row = column_values(case)
    case_row.pop("case_no", None)
    applicant_rows = [column_values(a) for a in case.applicants]
    event_row = column_values(event)
    outbox_row = outbox
    key_row = {} if key is None else {**key.values, "marker": key.marker}
    shape = (
        tuple(case_row),
        tuple(applicant_rows[0]),
        tuple(event_row),
        tuple(outbox_row),
        tuple(key_row),
    )
    sql, convert = _numbered_insert(*shape)
    args = convert(year, case_row, applicant_rows, event_row, outbox_row, key_row)
    try:
        return str(await driver.fetchval(sql, *args))
    except asyncpg.PostgresError as error:
        raise translated(error, sql) from error


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


@functools.cache
def _numbered_insert(
    case_keys: tuple[str, ...],
    applicant_keys: tuple[str, ...],
    event_keys: tuple[str, ...],
    outbox_keys: tuple[str, ...],
    key_keys: tuple[str, ...],
) -> tuple[str, Any]:
    """The statement for rows of these columns, and how to turn the rows into its
    parameters. $1 is the year, $2 its case-number prefix; the applicants come as one array
    per column (unnest); the idempotency key's row (no columns: none) has its ``marker``
    replaced by the number in ``response_body``."""
    cases, applicants, events = _table(Case), _table(CaseApplicant), _table(CaseEvent)
    case_params, case_conv = typed_parameters(cases, case_keys, 3)
    first = 3 + len(case_keys)
    applicant_params, applicant_conv = typed_parameters(
        applicants, applicant_keys, first, arrays=True
    )
    first += len(applicant_keys)
    event_params, event_conv = typed_parameters(events, event_keys, first)
    outbox_params, outbox_conv = typed_parameters(
        _table(Event), outbox_keys, first + len(event_keys)
    )
    first += len(event_keys) + len(outbox_keys)
    key_columns = tuple(k for k in key_keys if k != "marker")
    key_params: list[str] = []
    key_conv: list[Any] = []
    if key_columns:
        key_params, key_conv = typed_parameters(_table(IdempotencyKey), key_columns, first)

    def names(keys: tuple[str, ...]) -> str:
        return ", ".join(f'"{k}"' for k in keys)

    # Both events record the number the case was given, and so does the kept answer.
    event_params = _with_case_no(event_params, event_keys.index("data"))
    outbox_params = _with_case_no(outbox_params, outbox_keys.index("data"))
    kept_answer = ""
    if key_columns:
        marker = f"${first + len(key_columns)}::text"
        body = key_columns.index("response_body")
        key_params = [
            f"replace({p}, {marker}, c.case_no)" if i == body else p
            for i, p in enumerate(key_params)
        ]
        kept_answer = f"""
        , k AS (
            INSERT INTO idempotency_keys ({names(key_columns)})
            SELECT {", ".join(key_params)}
            FROM c
        )"""  # noqa: S608 (names from the model's metadata, every value a parameter)

    # Names from the models' metadata, every value a parameter.
    sql = f"""
        WITH n AS (
            INSERT INTO case_counters (year, last_no) VALUES ($1, 1)
            ON CONFLICT (year) DO UPDATE SET last_no = case_counters.last_no + 1
            RETURNING last_no
        ), c AS (
            INSERT INTO cases ({names(case_keys)}, case_no)
            SELECT {", ".join(case_params)}, $2::text || lpad(n.last_no::text,
                greatest({CASE_NO_WIDTH}, length(n.last_no::text)), '0')
            FROM n
            RETURNING case_no
        ), a AS (
            INSERT INTO case_applicants ({names(applicant_keys)})
            SELECT * FROM unnest({", ".join(applicant_params)})
        ), e AS (
            INSERT INTO case_events ({names(event_keys)})
            SELECT {", ".join(event_params)}
            FROM c
        ), o AS (
            INSERT INTO events ({names(outbox_keys)})
            SELECT {", ".join(outbox_params)}
            FROM c
        ){kept_answer}
        SELECT case_no FROM c
    """  # noqa: S608

    def convert(
        year: int,
        case_row: dict[str, Any],
        applicant_rows: list[dict[str, Any]],
        event_row: dict[str, Any],
        outbox_row: dict[str, Any],
        key_row: dict[str, Any],
    ) -> list[Any]:
        args: list[Any] = [year, case_number_prefix(year)]
        args += [f(case_row[k]) for f, k in zip(case_conv, case_keys, strict=True)]
        args += [
            [f(row[k]) for row in applicant_rows]
            for f, k in zip(applicant_conv, applicant_keys, strict=True)
        ]
        args += [f(event_row[k]) for f, k in zip(event_conv, event_keys, strict=True)]
        args += [f(outbox_row[k]) for f, k in zip(outbox_conv, outbox_keys, strict=True)]
        if key_columns:
            args += [f(key_row[k]) for f, k in zip(key_conv, key_columns, strict=True)]
            args.append(key_row["marker"])
        return args

    return sql, convert


def _with_case_no(params: list[str], data_index: int) -> list[str]:
    return [
        f"jsonb_set({p}, '{{case_no}}', to_jsonb(c.case_no))" if i == data_index else p
        for i, p in enumerate(params)
    ]


@dataclass(frozen=True)
class IntakeLookups:
    """What an intake reads before it writes, read together: the kinds of the named agencies
    that exist and are active, the policy version that took effect last on or before the
    day (None: none has yet), and the possible duplicates within that version's window."""

    agency_kinds: dict[uuid.UUID, str]
    policy: PolicyVersion | None
    duplicates: list[DuplicateRef]


# One round trip instead of three (agencies, policy with the calendar's fingerprint,
# duplicates by ``cases._DUPLICATES_SQL``'s conditions: $3 respondent, $4 now less the
# policy's window, $5 identity hashes, $6 the reader's agency).
_LOOKUPS_SQL = f"""
    SELECT
        ARRAY(
            SELECT ROW(a.id, a.kind) FROM agencies a WHERE a.id = ANY($1::uuid[]) AND a.active
        ) AS agency_kinds,
        policy.p AS policy_row,
        {policy_repo.FINGERPRINT_COLUMN} AS calendar_fingerprint,
        ARRAY(
            SELECT ROW(d.id, d.case_no, d.status, d.received_at) FROM cases d
            WHERE d.respondent_agency_id = $3
              AND (
                  d.status <> '{CaseStatus.CLOSED.value}'
                  OR d.received_at >= $4::timestamptz
                      - make_interval(days => (policy.p).duplicate_window_days)
              )
              AND d.id IN (
                  SELECT h.case_id FROM case_applicants h WHERE h.id_number_hash = ANY($5::text[])
              )
              AND ($6::uuid IS NULL OR d.respondent_agency_id = $6 OR d.intake_agency_id = $6)
            ORDER BY d.received_at DESC
            LIMIT 20
        ) AS duplicate_rows
    FROM (SELECT 1) AS one {policy_repo.started_lateral("$2")}
"""  # noqa: S608 (constants of ours, a code of the enum)


async def look_up(
    session: AsyncSession,
    *,
    agency_ids: Sequence[uuid.UUID],
    policy_on: date,
    respondent_agency_id: uuid.UUID,
    id_hashes: Sequence[str],
    duplicates: DuplicatesScope,
) -> IntakeLookups | None:
    """On PostgreSQL, what ``IntakeLookups`` names in one statement; None on SQLite (ask
    each on its own)."""
    rows = await fast_read.fetch(
        session,
        _LOOKUPS_SQL,
        list(agency_ids),
        policy_on,
        respondent_agency_id,
        duplicates.now,
        list(id_hashes),
        duplicates.agency,
    )
    if rows is None:
        return None
    row = rows[0]
    policy = policy_repo.read_along(session, row)
    return IntakeLookups(
        agency_kinds={agency_id: kind for agency_id, kind in row["agency_kinds"]},
        policy=policy,
        duplicates=[DuplicateRef(*d) for d in row["duplicate_rows"]] if policy else [],
    )
