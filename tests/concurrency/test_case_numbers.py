"""Case numbers and idempotent retries under parallel intake (SPEC 2.5, 3; issue 4), on
PostgreSQL, against a committed database.

Several apps, each with its own engine, stand for several API processes; requests fired
together with ``asyncio.gather`` run at the same time on separate connections, so the counter
row and the idempotency key are really contended.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.models import Case, CaseCounter, IdempotencyKey
from app.states.codes import Role
from tests.support import databases
from tests.support.app_cluster import Cluster, cluster
from tests.support.factories import CASES, agencies_of_kind, case_body, case_seq

pytestmark = pytest.mark.postgres_only

PROCESSES = 4


@pytest.fixture
async def processes() -> AsyncIterator[Cluster]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = await databases.prepare_database("adr_conc_cases_" + worker)
    async with cluster(databases.test_settings(url), PROCESSES) as c:
        yield c


async def test_parallel_intakes_get_unique_consecutive_numbers(processes):
    coordinator = processes.headers(Role.CENTER_COORDINATOR, sub="conc-center")
    admin = processes.headers(Role.ADMIN, sub="conc-admin")
    organs = await agencies_of_kind(processes.client(0), admin, "administrative_organ")
    center = (await agencies_of_kind(processes.client(0), admin, "reconciliation_center"))[0]
    justice = (await agencies_of_kind(processes.client(0), admin, "judicial_bureau"))[0]
    intake = organs[0]["id"]
    received = "2025-06-01T10:00:00+08:00"
    act = {"type": "administrative_penalty", "made_on": "2025-05-01", "known_on": "2025-05-03"}

    def good(i: int, **extra: Any) -> dict[str, Any]:
        respondent = organs[1 + i % (len(organs) - 1)]["id"]
        return case_body(intake, respondent, received_at=received, act=act, **extra)

    bodies: list[tuple[str, dict[str, Any]]] = []
    for i in range(39):
        bodies.append(("ok", good(i)))
        if i % 4 == 0:
            # Passes the schema and the intake agency, fails on the respondent.
            bodies.append(("bad", case_body(intake, center["id"], received_at=received, act=act)))
        if i % 7 == 0:
            # The judicial bureau is an administrative organ too: a respondent like any other.
            bodies.append(("ok", case_body(intake, justice["id"], received_at=received, act=act)))
    # One external record sent five times at once: exactly one is taken in; the others lose
    # either at the look-up or at the unique constraint (after a number was drawn and rolled
    # back).
    ref = {"system": "xinfang", "id": "XF-CONC-1"}
    for _ in range(5):
        bodies.insert(len(bodies) // 2, ("ref", good(99, external_ref=ref)))

    responses = await asyncio.gather(
        *(
            processes.client(i).post(CASES, json=body, headers=coordinator)
            for i, (_, body) in enumerate(bodies)
        )
    )
    statuses = Counter(
        (kind, r.status_code) for (kind, _), r in zip(bodies, responses, strict=True)
    )
    assert all(r.status_code < 500 for r in responses), [
        r.text for r in responses if r.status_code >= 500
    ]
    bad_count = sum(1 for kind, _ in bodies if kind == "bad")
    ok_count = sum(1 for kind, _ in bodies if kind == "ok")
    assert statuses == Counter(
        {("ok", 201): ok_count, ("bad", 422): bad_count, ("ref", 201): 1, ("ref", 409): 4}
    )
    for (kind, _), response in zip(bodies, responses, strict=True):
        if kind == "bad":
            assert response.json()["errors"][0]["code"] == "respondent_not_administrative_organ"
        if kind == "ref" and response.status_code == 409:
            assert response.json()["code"] == "duplicate_external_ref"

    created = [r.json() for r in responses if r.status_code == 201]
    numbers = sorted(case_seq(c["case_no"]) for c in created)
    taken = ok_count + 1
    assert numbers == [(2025, n) for n in range(1, taken + 1)]
    assert len({c["id"] for c in created}) == taken
    last_no = await processes.scalar(select(CaseCounter.last_no).where(CaseCounter.year == 2025))
    assert last_no == taken
    assert await processes.scalar(select(func.count()).select_from(Case)) == taken

    # The next intake, from any process, continues the sequence.
    after = await processes.client(3).post(CASES, json=good(1), headers=coordinator)
    assert after.status_code == 201, after.text
    assert case_seq(after.json()["case_no"]) == (2025, taken + 1)


async def test_parallel_intakes_of_one_external_record_name_the_existing_case(processes):
    """SPEC 2.5: a second intake of the same external record answers 409
    ``duplicate_external_ref`` naming the existing case, also when it lost the race at the
    unique constraint rather than at the look-up."""
    coordinator = processes.headers(Role.CENTER_COORDINATOR, sub="conc-center")
    admin = processes.headers(Role.ADMIN, sub="conc-admin")
    organs = await agencies_of_kind(processes.client(0), admin, "administrative_organ")
    ref = {"system": "hotline", "id": "12345-CONC-9"}
    responses = await asyncio.gather(
        *(
            processes.client(i).post(
                CASES,
                json=case_body(organs[0]["id"], organs[1]["id"], external_ref=ref),
                headers=coordinator,
            )
            for i in range(6)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5
    winner = next(r.json() for r in responses if r.status_code == 201)
    for response in responses:
        if response.status_code == 409:
            problem = response.json()
            assert problem["code"] == "duplicate_external_ref"
            assert problem.get("existing_case_id") == winner["id"], problem
            assert problem.get("existing_case_no") == winner["case_no"], problem
    # The losers' numbers were given back.
    after = await processes.client(0).post(
        CASES, json=case_body(organs[0]["id"], organs[1]["id"]), headers=coordinator
    )
    assert case_seq(after.json()["case_no"])[1] == case_seq(winner["case_no"])[1] + 1


async def test_parallel_retries_with_one_key_create_one_case(processes):
    coordinator = processes.headers(Role.CENTER_COORDINATOR, sub="conc-center")
    admin = processes.headers(Role.ADMIN, sub="conc-admin")
    organs = await agencies_of_kind(processes.client(0), admin, "administrative_organ")
    body = case_body(organs[0]["id"], organs[1]["id"], title="并发重试同一请求")
    headers = {**coordinator, "Idempotency-Key": "conc-retry-0001"}

    responses = await asyncio.gather(
        *(processes.client(i).post(CASES, json=body, headers=headers) for i in range(10))
    )
    assert all(r.status_code in (201, 409) for r in responses), [r.text for r in responses]
    fresh = [
        r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers
    ]
    replayed = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    in_flight = [r for r in responses if r.status_code == 409]
    assert len(fresh) == 1
    assert len(fresh) + len(replayed) + len(in_flight) == 10
    case_id = fresh[0].json()["id"]
    assert all(r.status_code == 201 and r.json()["id"] == case_id for r in replayed)
    for response in in_flight:
        assert response.json()["code"] == "idempotency_key_in_flight"
        assert response.headers.get("retry-after")
    assert await processes.scalar(select(func.count()).select_from(Case)) == 1
    assert (
        await processes.scalar(
            select(func.count())
            .select_from(IdempotencyKey)
            .where(IdempotencyKey.key == "conc-retry-0001")
        )
        == 1
    )

    # Once the first has finished, a retry is a replay.
    later = await processes.client(5).post(CASES, json=body, headers=headers)
    assert later.status_code == 201, later.text
    assert later.headers["idempotent-replayed"] == "true"
    assert later.json()["id"] == case_id


async def test_retries_racing_each_other_after_the_first_finished_all_replay(processes):
    """SPEC 3: 409 ``idempotency_key_in_flight`` is for "the same key while the first request
    is still running". Once it has finished, retries (even several at once, as a client
    library with parallel workers sends them) must each get the stored response."""
    coordinator = processes.headers(Role.CENTER_COORDINATOR, sub="conc-center")
    admin = processes.headers(Role.ADMIN, sub="conc-admin")
    organs = await agencies_of_kind(processes.client(0), admin, "administrative_organ")
    body = case_body(organs[0]["id"], organs[1]["id"], title="完成后并发重试")
    headers = {**coordinator, "Idempotency-Key": "conc-retry-0002"}
    first = await processes.client(0).post(CASES, json=body, headers=headers)
    assert first.status_code == 201, first.text

    later = await asyncio.gather(
        *(processes.client(i).post(CASES, json=body, headers=headers) for i in range(10))
    )
    assert [r.status_code for r in later] == [201] * 10, [r.text for r in later]
    for response in later:
        assert response.headers["idempotent-replayed"] == "true"
        assert response.json()["id"] == first.json()["id"]
    assert await processes.scalar(select(func.count()).select_from(Case)) == 1


async def test_parallel_requests_of_different_callers_with_one_key_each_create(processes):
    admin = processes.headers(Role.ADMIN, sub="conc-admin")
    organs = await agencies_of_kind(processes.client(0), admin, "administrative_organ")
    body = case_body(organs[0]["id"], organs[2]["id"], title="不同调用方相同键")
    callers = [processes.headers(Role.CENTER_COORDINATOR, sub=f"conc-center-{i}") for i in range(6)]
    responses = await asyncio.gather(
        *(
            processes.client(i).post(
                CASES, json=body, headers={**headers, "Idempotency-Key": "shared-conc-key"}
            )
            for i, headers in enumerate(callers)
        )
    )
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 6
    assert len({r.json()["case_no"] for r in responses}) == 6
