"""Dispatch under parallel load on PostgreSQL (SPEC 2.7; issue 5: "parallel dispatches cannot
overbook anyone"): never more open assignments than max_open_assignments for a lawyer, never
two live presiding offers on a case, and each overdue offer expired exactly once when several
processes sweep at once.

Each app of the cluster (tests.support.app_cluster) has its own engine on one committed
database ("processes"); requests fired together with ``asyncio.gather`` run at the same time
on separate connections. Every test works in a business system of its own, so that the
lawyers of the other tests in this module (same database) are excluded from its cases as
specialty_mismatch.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Coroutine
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text, update

from app.clock import now_utc
from app.db.models import Assignment, Case, CaseEvent
from app.db.repositories import assignments as assignments_repo
from app.db.repositories import cases as cases_repo
from app.db.repositories import dispatch as dispatch_repo
from app.domain.maintenance.sweep import sweep_once
from app.settings import Settings
from tests.support import databases
from tests.support.app_cluster import Cluster, all_at_once, cluster, outcome, run_database_name

pytestmark = pytest.mark.postgres_only

MAX_OPEN = 5  # the seeded policy
OPEN = ("offered", "conflict_reported", "accepted")
LIVE = ("offered", "conflict_reported", "accepted")


@pytest.fixture(scope="module")
async def concurrency_url() -> AsyncIterator[str]:
    name = run_database_name("adr_conc_dispatch")
    yield await databases.prepare_database(name)
    await databases.drop_database(name)


@pytest.fixture
def conc_settings(concurrency_url: str) -> Settings:
    return databases.test_settings(concurrency_url)


# --- what the database says ----------------------------------------------------------------


async def open_count(c: Cluster, lawyer_id: str) -> int:
    stmt = (
        select(func.count())
        .select_from(Assignment)
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.lawyer_id == uuid.UUID(lawyer_id),
            Assignment.status.in_(OPEN),
            Case.status != "closed",
        )
    )
    async with c.engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())


async def live_presiding(c: Cluster, case_id: str) -> int:
    stmt = select(func.count()).where(
        Assignment.case_id == uuid.UUID(case_id),
        Assignment.role == "presiding",
        Assignment.status.in_(LIVE),
    )
    async with c.engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())


async def expired_events(c: Cluster, assignment_ids: list[str]) -> Counter[str]:
    stmt = select(CaseEvent.data).where(CaseEvent.type == "offer_expired")
    async with c.engine.connect() as conn:
        rows = (await conn.execute(stmt)).scalars().all()
    wanted = set(assignment_ids)
    return Counter(str(d["assignment_id"]) for d in rows if str(d.get("assignment_id")) in wanted)


async def make_overdue(c: Cluster, assignment_ids: list[str]) -> None:
    async with c.engine.begin() as conn:
        await conn.execute(
            update(Assignment)
            .where(Assignment.id.in_([uuid.UUID(i) for i in assignment_ids]))
            .values(respond_by=now_utc() - timedelta(minutes=5))
        )


async def statuses(c: Cluster, assignment_ids: list[str]) -> dict[str, str]:
    stmt = select(Assignment.id, Assignment.status).where(
        Assignment.id.in_([uuid.UUID(i) for i in assignment_ids])
    )
    async with c.engine.connect() as conn:
        return {str(i): s for i, s in (await conn.execute(stmt)).all()}


def dispatch(
    p: Cluster, i: int, case_id: str, lawyer_id: str | None = None
) -> Coroutine[Any, Any, httpx.Response]:
    body: dict[str, Any] = {"role": "presiding"}
    if lawyer_id is not None:
        body["lawyer_id"] = lawyer_id
    return p.client(i).post(
        f"/api/v1/cases/{case_id}/dispatch", json=body, headers=p.world.coordinator
    )


async def classified_cases(p: Cluster, system: str, n: int) -> list[dict[str, Any]]:
    respondent = await p.world.respondent()
    return [await p.world.case(respondent, business_system=system) for _ in range(n)]


async def case_with_ranked_lawyers(
    p: Cluster, system: str, lawyers: int
) -> tuple[dict[str, Any], list[str]]:
    """A classified case of ``system``, after that many new specialists of it joined, and
    the ids of the lawyers eligible for it in the order dispatch ranks them (in a system of
    its own, a test's specialists are the eligible ones)."""
    for _ in range(lawyers):
        await p.world.lawyer(specialties=[system])
    [case] = await classified_cases(p, system, 1)
    listed = await p.client(0).get(
        f"/api/v1/cases/{case['id']}/dispatch-candidates", headers=p.world.coordinator
    )
    return case, [c["lawyer_id"] for c in listed.json()["eligible"]]


# --- capacity -------------------------------------------------------------------------------


async def test_parallel_dispatches_never_exceed_a_lawyers_capacity(conc_settings):
    system = "transport"
    async with cluster(conc_settings, 3) as p:
        lawyer = await p.world.lawyer(specialties=[system])
        for case in await classified_cases(p, system, MAX_OPEN - 1):
            await p.world.offer(case["id"], lawyer_id=lawyer["id"])
        assert await open_count(p, lawyer["id"]) == MAX_OPEN - 1
        cases = await classified_cases(p, system, 6)

        responses = await all_at_once(*(dispatch(p, i, c["id"]) for i, c in enumerate(cases)))

        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {"201": 1, "409 no_eligible_mediator": 5}, outcomes
        [won] = [r.json() for r in responses if r.status_code == 201]
        assert won["lawyer_id"] == lawyer["id"]
        assert await open_count(p, lawyer["id"]) == MAX_OPEN
        statuses = Counter([await p.world.status(c["id"]) for c in cases])
        assert statuses == {"awaiting_acceptance": 1, "classified": 5}


async def test_a_dispatch_that_loses_the_last_place_says_why(conc_settings):
    """Two dispatches both rank the lawyer eligible (4 open of 5) and queue for the lawyer's
    lock; the second finds the last place taken on its recount. Its 409 no_eligible_mediator
    must still carry the exclusion summary (SPEC 2.7), not an empty one."""
    system = "education_sports"
    async with cluster(conc_settings, 2) as p:
        lawyer = await p.world.lawyer(specialties=[system])
        for case in await classified_cases(p, system, MAX_OPEN - 1):
            await p.world.offer(case["id"], lawyer_id=lawyer["id"])
        first, second = await classified_cases(p, system, 2)
        async with p.engine.connect() as holder:
            # Another dispatch holds the lawyer while both requests come in.
            await holder.execute(
                text("SELECT id FROM lawyers WHERE id = :id FOR UPDATE"),
                {"id": uuid.UUID(lawyer["id"])},
            )
            one = asyncio.create_task(dispatch(p, 0, first["id"]))
            await p.until_lock_waiters(1)
            two = asyncio.create_task(dispatch(p, 1, second["id"]))
            await p.until_lock_waiters(2)
            await holder.rollback()
        responses = await asyncio.gather(one, two)

        assert sorted(outcome(r) for r in responses) == ["201", "409 no_eligible_mediator"]
        assert await open_count(p, lawyer["id"]) == MAX_OPEN
        [refused] = [r.json() for r in responses if r.status_code == 409]
        # The database is shared by this module's tests: other lawyers may be excluded too,
        # but the one who lost the last place must be counted, as at capacity.
        assert refused["exclusions"].get("at_capacity", 0) >= 1, refused
        assert refused["excluded_count"] >= 1, refused


async def test_parallel_dispatches_overflow_to_the_next_lawyer(conc_settings):
    system = "water_resources"
    async with cluster(conc_settings, 3) as p:
        nearly_full = await p.world.lawyer(specialties=[system])
        for case in await classified_cases(p, system, MAX_OPEN - 1):
            await p.world.offer(case["id"], lawyer_id=nearly_full["id"])
        idle = await p.world.lawyer(specialties=[system])
        cases = await classified_cases(p, system, 7)

        responses = await all_at_once(*(dispatch(p, i, c["id"]) for i, c in enumerate(cases)))

        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {"201": 6, "409 no_eligible_mediator": 1}, outcomes
        taken = Counter(r.json()["lawyer_id"] for r in responses if r.status_code == 201)
        assert taken == {idle["id"]: MAX_OPEN, nearly_full["id"]: 1}
        assert await open_count(p, idle["id"]) == MAX_OPEN
        assert await open_count(p, nearly_full["id"]) == MAX_OPEN


async def test_a_dispatch_passes_over_the_lawyers_others_hold_without_waiting(conc_settings):
    """The first two in rank are held by parallel dispatches (their locks taken here and kept
    while the request runs): the offer goes to the third in rank at once, and says so."""
    system = "commerce"
    async with cluster(conc_settings, 1) as p:
        case, ranked = await case_with_ranked_lawyers(p, system, 4)
        async with p.engine.connect() as holder:
            await holder.execute(
                text("SELECT id FROM lawyers WHERE id IN (:a, :b) FOR UPDATE"),
                {"a": uuid.UUID(ranked[0]), "b": uuid.UUID(ranked[1])},
            )
            response = await dispatch(p, 0, case["id"])  # would hang here if it waited
            await holder.rollback()

        assert response.status_code == 201, response.text
        offer = response.json()
        assert offer["lawyer_id"] == ranked[2]
        assert offer["reasoning"]["rank"] == 3
        assert offer["reasoning"]["eligible_count"] == len(ranked)


async def test_a_dispatch_lets_go_of_a_lawyer_it_found_full(conc_settings, monkeypatch):
    """Deadlock-freedom of automatic dispatch: the top-ranked lawyer takes their last place
    (offers of parallel dispatches commit) after the dispatch assessed the pool and before it
    locks them; it finds them full under the lock, passes over the second in rank, whom a
    parallel dispatch holds, and waits for them. That parallel dispatch now locks the first
    in rank (as its own waiting pass would): had the waiting dispatch kept the full lawyer's
    lock, the two would wait for each other (PostgreSQL ends such a cycle by failing one).
    It must get the lock at once, and the waiting dispatch the second in rank once free."""
    system = "finance"
    async with cluster(conc_settings, 1) as p:
        case, (first, second) = await case_with_ranked_lawyers(p, system, 2)
        others = await classified_cases(p, system, MAX_OPEN)
        take_lawyer = dispatch_repo.take_lawyer

        async def fill_first_then_take(*args: Any, **kwargs: Any) -> Any:
            for other in others:
                await p.world.offer(other["id"], lawyer_id=first)
            return await take_lawyer(*args, **kwargs)

        monkeypatch.setattr(dispatch_repo, "take_lawyer", fill_first_then_take)
        async with p.engine.connect() as parallel:
            await parallel.execute(
                text("SELECT id FROM lawyers WHERE id = :id FOR UPDATE"),
                {"id": uuid.UUID(second)},
            )
            waiting = asyncio.create_task(dispatch(p, 0, case["id"]))
            await p.until_lock_waiters(1)
            locked = await parallel.execute(
                text("SELECT id FROM lawyers WHERE id = :id FOR UPDATE NOWAIT"),
                {"id": uuid.UUID(first)},
            )
            assert [str(i) for i in locked.scalars()] == [first]
            await parallel.rollback()
        response = await waiting

        assert response.status_code == 201, response.text
        assert response.json()["lawyer_id"] == second
        assert response.json()["reasoning"]["rank"] == 2
        assert await open_count(p, first) == MAX_OPEN
        assert await open_count(p, second) == 1


async def test_a_waiting_dispatch_lets_go_of_a_lawyer_it_found_full(conc_settings):
    """The waiting pass likewise: both lawyers are held by parallel dispatches; the dispatch
    waits for the first in rank, whose holder fills their last place and commits; it finds
    them full, lets them go and waits for the second. The first must be free meanwhile."""
    system = "development_reform"
    async with cluster(conc_settings, 1) as p:
        case, (first, second) = await case_with_ranked_lawyers(p, system, 2)
        async with p.engine.connect() as holds_first, p.engine.connect() as holds_second:
            holders: dict[str, int] = {}
            for conn, lawyer in ((holds_first, first), (holds_second, second)):
                await conn.execute(
                    text("SELECT id FROM lawyers WHERE id = :id FOR UPDATE"),
                    {"id": uuid.UUID(lawyer)},
                )
                pid = await conn.execute(text("SELECT pg_backend_pid()"))
                holders[lawyer] = int(pid.scalar_one())
            waiting = asyncio.create_task(dispatch(p, 0, case["id"]))
            await until_blocked_by(p, holders[first])
            # The first one's last place taken by the parallel dispatch that holds them.
            await holds_first.execute(
                text("INSERT INTO lawyer_open_changes (lawyer_id, delta) VALUES (:id, :n)"),
                {"id": uuid.UUID(first), "n": MAX_OPEN},
            )
            await holds_first.commit()
            await until_blocked_by(p, holders[second])
            async with p.engine.connect() as another:
                locked = await another.execute(
                    text("SELECT id FROM lawyers WHERE id = :id FOR UPDATE NOWAIT"),
                    {"id": uuid.UUID(first)},
                )
                assert [str(i) for i in locked.scalars()] == [first]
            await holds_second.rollback()
        response = await waiting

        assert response.status_code == 201, response.text
        assert response.json()["lawyer_id"] == second
        assert response.json()["reasoning"]["rank"] == 2


async def until_blocked_by(p: Cluster, pid: int) -> None:
    """Poll until a request waits for a lock that the backend ``pid`` holds."""

    async def blocked() -> bool:
        async with p.engine.connect() as conn:
            count = await conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"
                ),
                {"pid": pid},
            )
            return bool(count.scalar_one())

    await p.until(blocked, f"a request waits for backend {pid}")


async def test_parallel_named_dispatches_of_one_lawyer_respect_capacity(conc_settings):
    system = "culture_tourism"
    async with cluster(conc_settings, 3) as p:
        lawyer = await p.world.lawyer(specialties=[system])
        cases = await classified_cases(p, system, MAX_OPEN + 3)

        responses = await all_at_once(
            *(dispatch(p, i, c["id"], lawyer["id"]) for i, c in enumerate(cases))
        )

        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {"201": MAX_OPEN, "409 lawyer_not_eligible": 3}, outcomes
        for refused in (r.json() for r in responses if r.status_code == 409):
            assert refused["reasons"] == ["at_capacity"]
        assert await open_count(p, lawyer["id"]) == MAX_OPEN


# --- one live presiding offer per case ------------------------------------------------------


async def test_parallel_dispatches_on_one_case_make_one_live_offer(conc_settings):
    system = "health"
    async with cluster(conc_settings, 3) as p:
        lawyers = [await p.world.lawyer(specialties=[system]) for _ in range(3)]
        [case] = await classified_cases(p, system, 1)

        requests = [dispatch(p, i, case["id"]) for i in range(7)]
        requests += [dispatch(p, i, case["id"], lawyers[i % 3]["id"]) for i in range(3)]
        responses = await all_at_once(*requests)

        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {"201": 1, "409 invalid_transition": 9}, outcomes
        assert await live_presiding(p, case["id"]) == 1
        assert await p.world.status(case["id"]) == "awaiting_acceptance"
        events = await p.world.event_types(case["id"])
        assert events.count("offer_presiding") == 1


async def test_parallel_dispatches_after_a_decline_make_one_live_offer(conc_settings):
    """The decline's own redispatch and the center's dispatch race for the classified case."""
    system = "ecology_environment"
    async with cluster(conc_settings, 3) as p:
        first = await p.world.lawyer(specialties=[system])
        for _ in range(3):
            await p.world.lawyer(specialties=[system])
        [case] = await classified_cases(p, system, 1)
        offer = await p.world.offer(case["id"], lawyer_id=first["id"])

        decline = p.client(0).post(
            f"/api/v1/assignments/{offer['id']}/decline",
            json={"reason": "conflict_of_interest"},
            headers=p.world.as_lawyer(first),
        )
        responses = await all_at_once(decline, *(dispatch(p, i, case["id"]) for i in range(1, 6)))

        assert responses[0].status_code == 200, responses[0].text
        assert await live_presiding(p, case["id"]) == 1
        assert all(r.status_code in (201, 409) for r in responses[1:])


# --- the sweep and the answers ---------------------------------------------------------------
#
# The sweep expires every overdue offer in the database, so each of these tests gets a database
# of its own: offers another test left overdue must not take part.

_fresh = itertools.count(1)


@pytest.fixture
async def fresh_settings() -> AsyncIterator[Settings]:
    name = f"{run_database_name('adr_conc_sweep')}_{next(_fresh)}"
    url = await databases.prepare_database(name)
    yield databases.test_settings(url)
    await databases.drop_database(name)


async def overdue_offers(p: Cluster, system: str, n: int) -> list[str]:
    """``n`` presiding offers past their answer time, each to a lawyer of its own (so that each
    expiry has other lawyers to redispatch to)."""
    lawyers = [await p.world.lawyer(specialties=[system]) for _ in range(n)]
    offers = []
    for case, lawyer in zip(await classified_cases(p, system, n), lawyers, strict=True):
        offers.append((await p.world.offer(case["id"], lawyer_id=lawyer["id"]))["id"])
    await make_overdue(p, offers)
    return offers


async def test_parallel_sweeps_expire_each_offer_once(fresh_settings):
    system = "agriculture_rural"
    async with cluster(fresh_settings, 2) as p:
        offers = await overdue_offers(p, system, 6)

        reports = await asyncio.gather(
            sweep_once(p.sessionmaker(0)), sweep_once(p.sessionmaker(1)), return_exceptions=True
        )

        failures = [r for r in reports if isinstance(r, BaseException)]
        assert not failures, [f"{type(f).__name__}: {str(f)[:300]}" for f in failures]
        assert sum(r.offers_expired for r in reports if not isinstance(r, BaseException)) == 6
        assert await expired_events(p, offers) == {o: 1 for o in offers}
        assert set((await statuses(p, offers)).values()) == {"expired"}
        again = await asyncio.gather(sweep_once(p.sessionmaker(0)), sweep_once(p.sessionmaker(1)))
        assert sum(r.offers_expired for r in again) == 0
        assert await expired_events(p, offers) == {o: 1 for o in offers}


async def test_a_sweep_that_read_before_another_committed_expires_nothing_twice(
    fresh_settings, monkeypatch
):
    """Sweeper B lists the overdue offers, then sweeper A expires them all and commits, then B
    goes on: locking each case and rereading each offer under the lock must show B that the
    offer has already expired (a reread that keeps B's stale copy expires it a second time)."""
    system = "emergency_management"
    async with cluster(fresh_settings, 2) as p:
        lawyer = await p.world.lawyer(specialties=[system])
        offers = []
        for case in await classified_cases(p, system, 3):
            offers.append((await p.world.offer(case["id"], lawyer_id=lawyer["id"]))["id"])
        await make_overdue(p, offers)

        listed, go_on = asyncio.Event(), asyncio.Event()
        original = assignments_repo.overdue_offers
        late: list[asyncio.Task[Any]] = []

        async def overdue_then_wait(*args: Any, **kwargs: Any) -> Any:
            rows = await original(*args, **kwargs)
            if late and asyncio.current_task() is late[0]:
                listed.set()
                await go_on.wait()
            return rows

        monkeypatch.setattr(assignments_repo, "overdue_offers", overdue_then_wait)
        late.append(asyncio.create_task(sweep_once(p.sessionmaker(1))))
        await listed.wait()
        first = await sweep_once(p.sessionmaker(0))
        go_on.set()
        second = await late[0]

        assert first.offers_expired == len(offers)
        assert await expired_events(p, offers) == {o: 1 for o in offers}
        assert second.offers_expired == 0


async def test_an_accept_racing_the_sweep_sees_the_expiry(fresh_settings, monkeypatch):
    """The sweeper holds the case of an overdue offer; the lawyer's accept has read the offer
    (still `offered`) and waits for the case. Once the sweeper has expired the offer and
    committed, the accept must be refused (409) without expiring the offer a second time."""
    system = "medical_security"
    async with cluster(fresh_settings, 2) as p:
        lawyer = await p.world.lawyer(specialties=[system])
        [case] = await classified_cases(p, system, 1)
        offer = await p.world.offer(case["id"], lawyer_id=lawyer["id"])
        await make_overdue(p, [offer["id"]])

        holding, go_on = asyncio.Event(), asyncio.Event()
        original = cases_repo.try_lock
        sweeper: list[asyncio.Task[Any]] = []

        async def lock_then_wait(*args: Any, **kwargs: Any) -> Any:
            locked = await original(*args, **kwargs)
            if sweeper and asyncio.current_task() is sweeper[0]:
                holding.set()
                await go_on.wait()
            return locked

        monkeypatch.setattr(cases_repo, "try_lock", lock_then_wait)
        sweeper.append(asyncio.create_task(sweep_once(p.sessionmaker(1))))
        await holding.wait()
        accepting = asyncio.create_task(
            p.client(0).post(
                f"/api/v1/assignments/{offer['id']}/accept", headers=p.world.as_lawyer(lawyer)
            )
        )
        await p.until_lock_waiters(1)
        go_on.set()
        swept, response = await asyncio.gather(sweeper[0], accepting)

        assert swept.offers_expired == 1
        # (offer_expired; invalid_transition naming `expired` is the code's answer for an offer
        # already expired, see tests/api/dispatch/test_assignment_expiry_api.py)
        assert outcome(response) in ("409 offer_expired", "409 invalid_transition"), response.text
        assert (await statuses(p, [offer["id"]]))[offer["id"]] == "expired"
        assert await expired_events(p, [offer["id"]]) == {offer["id"]: 1}


async def test_accept_and_decline_racing_decide_once(fresh_settings):
    """The same lawyer accepts and declines at once (two devices): one answer wins, the other
    meets the answered offer (409); the offer and the case agree afterwards."""
    system = "taxation"
    # The holder below keeps the case locked until both answers wait for it; on a loaded
    # machine that can take longer than the production statement timeout (5 s), which
    # would end the first answer's wait (503) before the second arrives.
    patient = fresh_settings.model_copy(update={"statement_timeout_ms": 120_000})
    async with cluster(patient, 2) as p:
        lawyer = await p.world.lawyer(specialties=[system])
        [case] = await classified_cases(p, system, 1)
        offer = await p.world.offer(case["id"], lawyer_id=lawyer["id"])
        headers = p.world.as_lawyer(lawyer)
        async with p.engine.connect() as holder:
            # Another request holds the case while both answers come in.
            await holder.execute(
                text("SELECT id FROM cases WHERE id = :id FOR UPDATE"),
                {"id": uuid.UUID(case["id"])},
            )
            accepting = asyncio.create_task(
                p.client(0).post(f"/api/v1/assignments/{offer['id']}/accept", headers=headers)
            )
            await p.until_lock_waiters(1)
            declining = asyncio.create_task(
                p.client(1).post(
                    f"/api/v1/assignments/{offer['id']}/decline",
                    json={"reason": "conflict_of_interest"},
                    headers=headers,
                )
            )
            await p.until_lock_waiters(2)
            await holder.rollback()
        accepted, declined = await asyncio.gather(accepting, declining)

        answers = sorted([outcome(accepted), outcome(declined)])
        status = (await statuses(p, [offer["id"]]))[offer["id"]]
        case_status = await p.world.status(case["id"])
        assert (answers, status, case_status) in (
            (["200", "409 invalid_transition"], "accepted", "in_mediation"),
            (["200", "409 invalid_transition"], "declined", "classified"),
        ), f"answers {answers}: the offer is {status} while the case is {case_status}"
