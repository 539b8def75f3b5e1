"""The bare baselines for `make bench`: a raw ASGI app on asyncpg and orjson.

- Same SQL (``/api/v1/...``): the statements the service's endpoints run, with no framework,
  no ORM and no validation beyond parsing. What the service costs on top of this is what
  the benchmark's ``ratio`` measures.
- The gap-free limit (``POST /gapfree/cases``): what any intake that numbers its cases
  without gaps can do at most here. One transaction, one statement of data-modifying CTEs
  (the year's counter UPDATE, the case INSERT, the event INSERT) and the commit: the counter's
  lock is held for that statement and its commit only. No checks, no applicants, no audit,
  no duplicates; the service's intake is measured against it too (issue 16).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
import orjson

from app.db.repositories.cases import LOCK_SQL
from app.db.repositories.dispatch import CANDIDATES_SQL, TAKE_LAWYER_SQL

POOL: asyncpg.Pool | None = None
DSN = os.environ.get("BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/adr_bench")

INTAKE_SQL = {
    # As the service does: the case is stored under a provisional number and numbered by
    # one statement right before the commit, so the year's counter row is locked briefly.
    "number": "WITH n AS (INSERT INTO case_counters (year, last_no) VALUES ($1, 1)"
    " ON CONFLICT (year) DO UPDATE SET last_no = case_counters.last_no + 1 RETURNING last_no),"
    " c AS (UPDATE cases SET case_no = $2 || lpad(n.last_no::text, 5, '0') FROM n"
    " WHERE cases.id = $3 RETURNING cases.case_no)"
    " UPDATE case_events SET data = jsonb_set(data, '{case_no}', to_jsonb(c.case_no))"
    " FROM c WHERE case_events.id = $4 RETURNING c.case_no",
    "case": "INSERT INTO cases (id, case_no, status, version, channel, received_at,"
    " intake_agency_id, respondent_agency_id, title, facts, claims, act_type, act_made_on,"
    " act_known_on, act_real_property, related_procedures, applicant_count, collective,"
    " priority, created_at, created_by, updated_at, act_remedy_notice_given,"
    " act_reconsideration_first) VALUES ($1,$2,'received',1,$3,$4,$5,$6,"
    "$7,$8,$9,$10,$11,$12,false,'[]',$13,false,'normal',$4,'bench',$4,true,false)",
    "applicant": "INSERT INTO case_applicants (id, case_id, position, kind, name, id_type,"
    " id_number_sealed, id_number_masked, id_number_hash, phone_sealed, phone_masked)"
    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
    "event": "INSERT INTO case_events (id, case_id, occurred_at, type, to_status, actor_sub,"
    " data) VALUES ($1,$2,$3,'received','received','bench','{}')",
    "audit": "INSERT INTO audit_records (id, occurred_at, actor_sub, actor_role, action,"
    " object_type, object_id, outcome, changes) VALUES ($1,$2,'bench','center_coordinator',"
    "'case.create','case',$3,'success',$4)",
}
# As the service reads them since issue 16 (app/db/repositories/case_intake.py, cases.py):
# the intake's agencies, policy and duplicates in one statement, before its transaction; a
# case with its applicants, the policy and its duplicates in one statement, no transaction.
POLICY_ROW = (
    "(SELECT ROW(collective_threshold, deadline_warning_days, duplicate_window_days,"
    " max_open_assignments, offer_response_hours) FROM policy_versions"
    " WHERE effective_from <= $1 ORDER BY effective_from DESC LIMIT 1)"
)
INTAKE_LOOKUPS_SQL = f"""
    SELECT ARRAY(SELECT ROW(id, kind, active) FROM agencies WHERE id = ANY($2::uuid[]))
        AS agencies,
        {POLICY_ROW} AS policy,
        ARRAY(
            SELECT ROW(id, case_no) FROM cases WHERE respondent_agency_id = $3
            AND id IN (
                SELECT case_id FROM case_applicants WHERE id_number_hash = ANY($4::text[])
            )
            ORDER BY received_at DESC LIMIT 20
        ) AS dups
"""  # noqa: S608 (constants of ours)
READ_SQL = f"""
    SELECT c.*,
        ARRAY(
            SELECT ROW(kind, name, id_type, id_number_masked, phone_masked)
            FROM case_applicants a WHERE a.case_id = c.id ORDER BY position
        ) AS applicant_rows,
        {POLICY_ROW} AS policy,
        ARRAY(
            SELECT ROW(d.id, d.case_no) FROM cases d
            WHERE d.respondent_agency_id = c.respondent_agency_id AND d.id <> c.id
            AND d.id IN (
                SELECT case_id FROM case_applicants h WHERE h.id_number_hash IN (
                    SELECT id_number_hash FROM case_applicants x WHERE x.case_id = c.id
                )
            )
            ORDER BY d.received_at DESC LIMIT 20
        ) AS dups
    FROM cases c WHERE c.id = $2
"""  # noqa: S608 (constants of ours)


# The lean dispatch, the second dispatch baseline (``POST /lean/cases/{id}/dispatch``):
# what the dispatch baseline did before it ran the service's own statements (issue 16,
# "The hot path, v8"). The candidates filtered and ranked in SQL, only their ids and counts
# read; the lock without the overdue offers; the assignment, the case and its timeline
# written as three statements with empty reasoning and data; no outbox event and no audit
# record. Kept so that figures stay comparable with the earlier rounds of the issue.
LEAN_DISPATCH_SQL = {
    "candidates": "SELECT l.id, l.open_assignments + coalesce(pending.delta, 0) AS open,"
    " p.max_open_assignments AS max_open FROM lawyers l"
    " LEFT JOIN (SELECT lawyer_id, sum(delta) AS delta FROM lawyer_open_changes"
    " GROUP BY lawyer_id) AS pending ON pending.lawyer_id = l.id"
    " JOIN pool_memberships m ON m.lawyer_id = l.id AND m.year = $1"
    " AND m.status = 'approved'"
    " JOIN lawyer_specialties s ON s.lawyer_id = l.id AND s.business_system = $2"
    " CROSS JOIN (SELECT max_open_assignments FROM policy_versions WHERE effective_from <= $4"
    " ORDER BY effective_from DESC LIMIT 1) AS p"
    " WHERE l.certificate_status = 'active' AND l.agency_id <> $3"
    " AND l.open_assignments + coalesce(pending.delta, 0) < p.max_open_assignments"
    " ORDER BY open, l.id",
    "take": TAKE_LAWYER_SQL,
}

# The dispatch baseline runs the service's own statements, imported from its repositories
# so that they cannot drift apart: the case's lock with the earliest answer time of its live
# offers, the candidates with the policy in force, the calendar's fingerprint and the
# respondent's region, and the take. Its write is the one statement ``app.db.writes``
# builds for a dispatch (the case's change, the assignment, the timeline entry, the outbox
# event and the audit record), as the service sends it.
DISPATCH_WRITE_SQL = (
    'WITH u AS (UPDATE "cases" SET "first_offered_at" = $1::TIMESTAMP WITH TIME ZONE,'
    ' "status" = $2::VARCHAR(30), "version" = $3::INTEGER,'
    ' "updated_at" = $4::TIMESTAMP WITH TIME ZONE WHERE "id" = $5::UUID RETURNING 1),'
    ' i0 AS (INSERT INTO "assignments" ("id", "case_id", "lawyer_id", "role", "status",'
    ' "offered_at", "respond_by", "needs_reassignment", "override_reason", "reasoning",'
    ' "offered_by", "version") VALUES ($6::UUID, $7::UUID, $8::UUID, $9::VARCHAR(20),'
    " $10::VARCHAR(20), $11::TIMESTAMP WITH TIME ZONE, $12::TIMESTAMP WITH TIME ZONE,"
    " $13::BOOLEAN, $14::TEXT, $15::JSONB, $16::VARCHAR(200), $17::INTEGER)),"
    ' i1 AS (INSERT INTO "case_events" ("id", "case_id", "occurred_at", "type",'
    ' "from_status", "to_status", "actor_sub", "actor_role", "data") VALUES ($18::UUID,'
    " $19::UUID, $20::TIMESTAMP WITH TIME ZONE, $21::VARCHAR(60), $22::VARCHAR(30),"
    " $23::VARCHAR(30), $24::VARCHAR(200), $25::VARCHAR(40), $26::JSONB)),"
    ' i2 AS (INSERT INTO "events" ("id", "type", "occurred_at", "subject_type",'
    ' "subject_id", "data") VALUES ($27::UUID, $28::VARCHAR(60),'
    " $29::TIMESTAMP WITH TIME ZONE, $30::VARCHAR(40), $31::VARCHAR(64), $32::JSONB)),"
    ' i3 AS (INSERT INTO "audit_records" ("id", "occurred_at", "actor_sub", "actor_role",'
    ' "actor_agency_id", "action", "object_type", "object_id", "outcome", "request_id",'
    ' "client_address", "changes") VALUES ($33::UUID, $34::TIMESTAMP WITH TIME ZONE,'
    " $35::VARCHAR(200), $36::VARCHAR(40), $37::UUID, $38::VARCHAR(80), $39::VARCHAR(40),"
    " $40::VARCHAR(64), $41::VARCHAR(20), $42::VARCHAR(64), $43::VARCHAR(64), $44::JSONB))"
    " SELECT count(*) FROM u"
)
REFUSED = ["declined", "expired"]
ASSIGNED = ["offered", "conflict_reported", "accepted"]
SHANGHAI = timezone(timedelta(hours=8))


async def _startup() -> None:
    global POOL
    POOL = await asyncpg.create_pool(DSN, min_size=4, max_size=20)


def _case_columns(data: dict[str, Any], now: datetime) -> tuple[Any, ...]:
    """The case's columns from channel to applicant count, as both intakes insert them."""
    act = data["act"]
    return (
        data["channel"],
        now,
        uuid.UUID(data["intake_agency_id"]),
        uuid.UUID(data["respondent_agency_id"]),
        data["title"],
        data["facts"],
        data["claims"],
        act["type"],
        datetime.fromisoformat(act["made_on"]).date(),
        datetime.fromisoformat(act["known_on"]).date(),
        len(data["applicants"]),
    )


async def _intake(body: bytes) -> tuple[int, Any]:
    data = orjson.loads(body)
    assert POOL is not None
    now = datetime.now(UTC)
    case_id = uuid.uuid4()
    respondent = uuid.UUID(data["respondent_agency_id"])
    intake = uuid.UUID(data["intake_agency_id"])
    hashes = [a["id_number"][-8:] for a in data["applicants"]]
    async with POOL.acquire() as conn:
        found = await conn.fetchrow(
            INTAKE_LOOKUPS_SQL, now.date(), [intake, respondent], respondent, hashes
        )
        dups = found["dups"]
        async with conn.transaction():
            await conn.execute(
                INTAKE_SQL["case"],
                case_id,
                f"TMP-{case_id.hex[:16]}",
                *_case_columns(data, now),
            )
            await conn.executemany(
                INTAKE_SQL["applicant"],
                [
                    (
                        uuid.uuid4(),
                        case_id,
                        i,
                        a["kind"],
                        a["name"],
                        a["id_type"],
                        "sealed",
                        "masked",
                        h,
                        None,
                        None,
                    )
                    for i, (a, h) in enumerate(zip(data["applicants"], hashes, strict=True))
                ],
            )
            event_id = uuid.uuid4()
            await conn.execute(INTAKE_SQL["event"], event_id, case_id, now)
            changes = {"channel": data["channel"], "respondent_agency_id": str(respondent)}
            await conn.execute(
                INTAKE_SQL["audit"], uuid.uuid4(), now, str(case_id), orjson.dumps(changes).decode()
            )
            case_no = await conn.fetchval(
                INTAKE_SQL["number"], now.year, f"LC{now.year}-", case_id, event_id
            )
    return 201, {
        "id": str(case_id),
        "case_no": case_no,
        "status": "received",
        "possible_duplicates": [str(r[0]) for r in dups],
    }


GAP_FREE_SQL = (
    "WITH n AS (INSERT INTO case_counters (year, last_no) VALUES ($1, 1)"
    " ON CONFLICT (year) DO UPDATE SET last_no = case_counters.last_no + 1 RETURNING last_no),"
    " c AS (INSERT INTO cases (id, case_no, status, version, channel, received_at,"
    " intake_agency_id, respondent_agency_id, title, facts, claims, act_type, act_made_on,"
    " act_known_on, act_real_property, related_procedures, applicant_count, collective,"
    " priority, created_at, created_by, updated_at, act_remedy_notice_given,"
    " act_reconsideration_first) SELECT $2, $3 || lpad(n.last_no::text, 5, '0'), 'received',"
    " 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, false, '[]', $14, false, 'normal', $5,"
    " 'bench', $5, true, false FROM n RETURNING id, case_no),"
    " e AS (INSERT INTO case_events (id, case_id, occurred_at, type, to_status, actor_sub,"
    " data) SELECT $15, c.id, $5, 'received', 'received', 'bench', '{}' FROM c)"
    " SELECT case_no FROM c"
)


async def _intake_gap_free(body: bytes) -> tuple[int, Any]:
    data = orjson.loads(body)
    assert POOL is not None
    now = datetime.now(UTC)
    case_id = uuid.uuid4()
    async with POOL.acquire() as conn, conn.transaction():
        case_no = await conn.fetchval(
            GAP_FREE_SQL,
            now.year,
            case_id,
            f"LC{now.year}-",
            *_case_columns(data, now),
            uuid.uuid4(),
        )
    return 201, {"id": str(case_id), "case_no": case_no, "status": "received"}


async def _read(case_id: str) -> tuple[int, Any]:
    assert POOL is not None
    async with POOL.acquire() as conn:
        row = await conn.fetchrow(READ_SQL, datetime.now(UTC).date(), uuid.UUID(case_id))
        if row is None:
            return 404, {"code": "not_found"}
    skip = ("applicant_rows", "policy", "dups")
    out: dict[str, Any] = {
        k: (str(v) if not isinstance(v, int | bool | type(None)) else v)
        for k, v in row.items()
        if k not in skip
    }
    keys = ("kind", "name", "id_type", "id_number_masked", "phone_masked")
    out["applicants"] = [dict(zip(keys, a, strict=True)) for a in row["applicant_rows"]]
    out["possible_duplicates"] = [str(d[0]) for d in row["dups"]]
    return 200, out


async def _list(status: str) -> tuple[int, Any]:
    assert POOL is not None
    async with POOL.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id, case_no, status, channel, received_at, intake_agency_id,"
            " respondent_agency_id, title, applicant_count, collective, business_system,"
            " priority, outcome_type FROM cases WHERE status = $1 ORDER BY id DESC LIMIT 50",
            status,
        )
    items = [
        {
            k: (str(v) if v is not None and not isinstance(v, int | bool) else v)
            for k, v in r.items()
        }
        for r in rows
    ]
    return 200, {"items": items, "next_cursor": items[-1]["id"] if items else None}


async def _dispatch(case_id: str) -> tuple[int, Any]:
    """The service's statements for a dispatch, with what little Python they need between
    them: the rules of ``app.domain.dispatch.rules`` written out over the rows, and the rows
    to write as plain values (the same columns, JSON as the service writes it)."""
    assert POOL is not None
    now = datetime.now(UTC)
    today = now.astimezone(SHANGHAI).date()
    async with POOL.acquire() as conn, conn.transaction():
        case = await conn.fetchrow(LOCK_SQL[True], uuid.UUID(case_id))
        if case is None or case["status"] != "classified":
            return 409, {"code": "invalid_transition"}
        system, respondent = case["business_system"], case["respondent_agency_id"]
        rows = await conn.fetch(
            CANDIDATES_SQL,
            today.year,
            system or "",
            today,
            case["id"],
            "approved",
            respondent,
            REFUSED,
            ASSIGNED,
        )
        policy, region = rows[0]["policy_row"], rows[0]["respondent_region"]
        max_open = policy["max_open_assignments"]
        eligible = [
            r
            for r in rows
            if r["id"] is not None
            and r["in_pool"]
            and r["certificate_active"]
            and system in r["specialties"]
            and r["agency_id"] != respondent
            and r["open_assignments"] < max_open
            and not (r["refused_this_case"] or r["assigned_to_case"] or r["away"])
        ]
        eligible.sort(
            key=lambda r: (
                r["open_assignments"],
                r["last_offered_at"] is not None,
                r["last_offered_at"].timestamp() if r["last_offered_at"] else 0.0,
                r["region_code"] != region,
                str(r["id"]),
            )
        )
        taken = await conn.fetchrow(TAKE_LAWYER_SQL, [r["id"] for r in eligible], max_open)
        if taken["taken"] is None:
            return 409, {"code": "no_eligible_mediator"}
        rank, chosen = next((i, r) for i, r in enumerate(eligible, 1) if r["id"] == taken["taken"])
        assignment = _offered(case, chosen, rank, len(eligible), region, policy, now)
        await conn.fetchval(DISPATCH_WRITE_SQL, *_dispatch_write_args(case, assignment, now))
    return 201, assignment


def _offered(
    case: Any, chosen: Any, rank: int, of: int, region: str, policy: Any, now: datetime
) -> dict[str, Any]:
    """The assignment as the service's answer and outbox event show it."""
    last = chosen["last_offered_at"]
    return {
        "id": str(uuid.uuid4()),
        "case_id": str(case["id"]),
        "lawyer_id": str(chosen["id"]),
        "role": "presiding",
        "status": "offered",
        "offered_at": now.isoformat(),
        "respond_by": (now + timedelta(hours=policy["offer_response_hours"])).isoformat(),
        "responded_at": None,
        "decline_reason": None,
        "decline_note": None,
        "conflict_decision": None,
        "conflict_decision_note": None,
        "decided_by": None,
        "withdraw_reason": None,
        "needs_reassignment": False,
        "override_reason": None,
        "reasoning": {
            "mode": "top_ranked",
            "rank": rank,
            "eligible_count": of,
            "open_assignments": chosen["open_assignments"],
            "last_offered_at": last.isoformat() if last else None,
            "same_county": chosen["region_code"] == region,
            "business_system": case["business_system"],
            "exclusions": [],
        },
        "ended_at": None,
        "offered_by": "bench",
    }


def _dispatch_write_args(case: Any, a: dict[str, Any], now: datetime) -> list[Any]:
    assignment_id, lawyer_id = uuid.UUID(a["id"]), uuid.UUID(a["lawyer_id"])
    offered = {"assignment_id": a["id"], "lawyer_id": a["lawyer_id"], "mode": "top_ranked"}
    changes = {
        "case_id": a["case_id"],
        "lawyer_id": a["lawyer_id"],
        "role": "presiding",
        "override_reason": None,
        "rank": a["reasoning"]["rank"],
    }
    return [
        # the case
        now,
        "awaiting_acceptance",
        case["version"] + 1,
        now,
        case["id"],
        # the assignment
        assignment_id,
        case["id"],
        lawyer_id,
        "presiding",
        "offered",
        now,
        datetime.fromisoformat(a["respond_by"]),
        False,
        None,
        orjson.dumps(a["reasoning"]).decode(),
        "bench",
        1,
        # the timeline
        uuid.uuid4(),
        case["id"],
        now,
        "offer_presiding",
        "classified",
        "awaiting_acceptance",
        "bench",
        "center_coordinator",
        orjson.dumps({**offered, "override": False}).decode(),
        # the outbox event
        uuid.uuid4(),
        "assignment.offered",
        now,
        "assignment",
        a["id"],
        orjson.dumps(a).decode(),
        # the audit record
        uuid.uuid4(),
        now,
        "bench",
        "center_coordinator",
        None,
        "case.dispatch",
        "assignment",
        a["id"],
        "success",
        uuid.uuid4().hex,
        "127.0.0.1",
        orjson.dumps(changes).decode(),
    ]


async def _lean_dispatch(case_id: str) -> tuple[int, Any]:
    """The second dispatch baseline (``LEAN_DISPATCH_SQL``)."""
    assert POOL is not None
    now = datetime.now(UTC)
    async with POOL.acquire() as conn, conn.transaction():
        case = await conn.fetchrow(
            "SELECT id, status, business_system, respondent_agency_id FROM cases WHERE id = $1"
            " FOR UPDATE",
            uuid.UUID(case_id),
        )
        if case is None or case["status"] != "classified":
            return 409, {"code": "invalid_transition"}
        candidates = await conn.fetch(
            LEAN_DISPATCH_SQL["candidates"],
            now.year,
            case["business_system"],
            case["respondent_agency_id"],
            now.date(),
        )
        max_open = candidates[0]["max_open"] if candidates else 0
        taken = await conn.fetchrow(
            LEAN_DISPATCH_SQL["take"], [c["id"] for c in candidates], max_open
        )
        lawyer = taken["taken"]
        if lawyer is None:
            return 409, {"code": "no_eligible_mediator"}
        assignment = uuid.uuid4()
        await conn.execute(
            "INSERT INTO assignments (id, case_id, lawyer_id, role, status, offered_at,"
            " respond_by, reasoning, offered_by, version) VALUES ($1,$2,$3,'presiding',"
            "'offered',$4,$5,'{}','bench',1)",
            assignment,
            case["id"],
            lawyer,
            now,
            now + timedelta(hours=48),
        )
        await conn.execute(
            "UPDATE cases SET status = 'awaiting_acceptance', version = version + 1 WHERE id = $1",
            case["id"],
        )
        await conn.execute(
            "INSERT INTO case_events (id, case_id, occurred_at, type, actor_sub, data)"
            " VALUES ($1,$2,$3,'offer_presiding','bench','{}')",
            uuid.uuid4(),
            case["id"],
            now,
        )
    return 201, {"id": str(assignment), "lawyer_id": str(lawyer)}


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await _startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path, method = scope["path"], scope["method"]
    parts = path.strip("/").split("/")
    if method == "POST" and path == "/api/v1/cases":
        status, payload = await _intake(await _body(receive))
    elif method == "POST" and path == "/gapfree/cases":
        status, payload = await _intake_gap_free(await _body(receive))
    elif method == "GET" and path == "/api/v1/cases":
        query = dict(p.split("=", 1) for p in scope["query_string"].decode().split("&") if "=" in p)
        status, payload = await _list(query.get("status", "received"))
    elif method == "GET" and len(parts) == 4 and parts[2] == "cases":
        status, payload = await _read(parts[3])
    elif method == "POST" and len(parts) == 4 and parts[0] == "lean" and parts[3] == "dispatch":
        await _body(receive)
        status, payload = await _lean_dispatch(parts[2])
    elif method == "POST" and len(parts) == 5 and parts[4] == "dispatch":
        await _body(receive)
        status, payload = await _dispatch(parts[3])
    elif path == "/healthz":
        status, payload = 200, {"status": "ok"}
    else:
        status, payload = 404, {"code": "not_found"}
    body = orjson.dumps(payload)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
