"""The pool's rules hold under parallel requests (SPEC 2.4; issue 3: "never a third live
membership"), on PostgreSQL, against a committed database; several app instances stand for
several API processes (see tests.support.app_cluster).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.settings import Settings
from app.states.codes import Role
from tests.support import databases
from tests.support.app_cluster import Cluster, all_at_once, cluster, outcome
from tests.support.factories import API, current_year

pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
async def concurrency_url() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return await databases.prepare_database("adr_conc_pool_" + worker)


@pytest.fixture
def conc_settings(concurrency_url: str) -> Settings:
    return databases.test_settings(concurrency_url)


async def nomination(
    c: Cluster, i: int, headers: dict[str, str], lawyer: dict[str, Any], year: int
) -> httpx.Response:
    return await c.client(i).post(
        f"{API}/pool/memberships", json={"lawyer_id": lawyer["id"], "year": year}, headers=headers
    )


# --- the quota ------------------------------------------------------------------------------


async def test_parallel_nominations_never_exceed_the_quota(conc_settings):
    year = current_year()
    async with cluster(conc_settings, 1) as c:
        agency = await c.agency()
        lawyers = await c.lawyers(agency, 6)
        officer = c.officer(agency)
        responses = await all_at_once(
            *(nomination(c, 0, officer, lawyer, year) for lawyer in lawyers)
        )
        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {"201": 2, "409 pool_quota_exceeded": 4}, outcomes
        for refused in (r for r in responses if r.status_code == 409):
            assert (refused.json()["limit"], refused.json()["count"]) == (2, 2)
        assert await c.live_count(agency_id=uuid.UUID(agency["id"]), year=year) == 2


async def test_parallel_nominations_across_processes_never_exceed_the_quota(conc_settings):
    year = current_year()
    async with cluster(conc_settings, 3) as c:
        agencies = [await c.agency(), await c.agency()]
        requests = []
        for agency in agencies:
            officer = c.officer(agency)
            for i, lawyer in enumerate(await c.lawyers(agency, 6)):
                requests.append(nomination(c, i, officer, lawyer, year))
        responses = await all_at_once(*requests)
        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {"201": 4, "409 pool_quota_exceeded": 8}, outcomes
        for agency in agencies:
            assert await c.live_count(agency_id=uuid.UUID(agency["id"]), year=year) == 2


async def test_the_quota_of_next_year_is_separate_under_parallel_load(conc_settings):
    year = current_year()
    async with cluster(conc_settings, 3) as c:
        agency = await c.agency()
        lawyers = await c.lawyers(agency, 6)
        officer = c.officer(agency)
        responses = await all_at_once(
            *(nomination(c, i, officer, lw, year + i % 2) for i, lw in enumerate(lawyers))
        )
        assert Counter(outcome(r) for r in responses) == {"201": 4, "409 pool_quota_exceeded": 2}
        for y in (year, year + 1):
            assert await c.live_count(agency_id=uuid.UUID(agency["id"]), year=y) == 2


# --- one membership per lawyer and year ------------------------------------------------------


async def test_parallel_nominations_of_one_lawyer_admit_one(conc_settings):
    year = current_year()
    async with cluster(conc_settings, 3) as c:
        agency = await c.agency()
        [lawyer] = await c.lawyers(agency, 1)
        officer = c.officer(agency)
        admin = c.headers(Role.ADMIN)
        responses = await all_at_once(
            *(nomination(c, i, officer if i % 2 else admin, lawyer, year) for i in range(6))
        )
        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {"201": 1, "409 already_in_pool": 5}, outcomes
        assert await c.live_count(lawyer_id=uuid.UUID(lawyer["id"]), year=year) == 1


async def test_parallel_renewals_nominate_each_member_once(conc_settings):
    year = current_year()
    async with cluster(conc_settings, 3) as c:
        agency = await c.agency()
        lawyers = await c.lawyers(agency, 3)
        officer = c.officer(agency)
        coordinator = c.headers(Role.CENTER_COORDINATOR)
        # This year's pool: two approved members (the quota), carried into next year twice
        # at once from different processes.
        for i, lawyer in enumerate(lawyers[:2]):
            response = await nomination(c, i, officer, lawyer, year)
            membership_id = response.json()["id"]
            approve = await c.client(i).post(
                f"{API}/pool/memberships/{membership_id}/approve", headers=coordinator
            )
            assert approve.status_code == 200, approve.text
        body = {"from_year": year, "to_year": year + 1}
        responses = await all_at_once(
            *(
                c.client(i).post(f"{API}/pool/memberships/renewals", json=body, headers=officer)
                for i in range(3)
            )
        )
        assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
        renewed = [m["lawyer_id"] for r in responses for m in r.json()["nominated"]]
        assert sorted(renewed) == sorted(lw["id"] for lw in lawyers[:2])
        reasons = Counter(s["reason"] for r in responses for s in r.json()["skipped"])
        assert reasons == {"already_in_pool": 4}
        assert await c.live_count(agency_id=uuid.UUID(agency["id"]), year=year + 1) == 2


# --- decisions --------------------------------------------------------------------------------


async def test_parallel_approvals_decide_once(conc_settings):
    year = current_year()
    async with cluster(conc_settings, 3) as c:
        agency = await c.agency()
        [lawyer] = await c.lawyers(agency, 1)
        response = await nomination(c, 0, c.officer(agency), lawyer, year)
        membership_id = response.json()["id"]
        coordinator = c.headers(Role.CENTER_COORDINATOR)
        responses = await all_at_once(
            *(
                c.client(i).post(
                    f"{API}/pool/memberships/{membership_id}/{'approve' if i % 2 else 'reject'}",
                    headers=coordinator,
                )
                for i in range(6)
            )
        )
        outcomes = Counter(outcome(r) for r in responses)
        assert outcomes == {"200": 1, "409 invalid_transition": 5}, outcomes


# --- certificates against the pool ------------------------------------------------------------


async def test_a_suspension_during_a_nomination_leaves_no_live_membership(conc_settings):
    """A nomination reads the lawyer, then waits for its agency's lock; a suspension that
    commits in that gap must still win: afterwards a lawyer whose certificate is suspended
    holds no live membership (SPEC 2.4)."""
    year = current_year()
    async with cluster(conc_settings, 2) as c:
        agency = await c.agency()
        [lawyer] = await c.lawyers(agency, 1)
        async with c.engine.connect() as holder:
            # Another process holds the agency row (e.g. a nomination for a colleague).
            await holder.execute(
                text("SELECT id FROM agencies WHERE id = :id FOR UPDATE"),
                {"id": uuid.UUID(agency["id"])},
            )
            nominating = asyncio.create_task(nomination(c, 0, c.officer(agency), lawyer, year))

            async def nomination_waits() -> bool:
                return await c.lock_waiters() >= 1

            await c.until(nomination_waits, "the nomination waits for the agency's lock")
            suspending = asyncio.create_task(
                c.client(1).put(
                    f"{API}/lawyers/{lawyer['id']}/certificate-status",
                    json={"status": "suspended", "reason": "暂停执业"},
                    headers=c.headers(Role.SUPERVISOR),
                )
            )

            async def suspension_done_or_waits() -> bool:
                return suspending.done() or await c.lock_waiters() >= 2

            await c.until(suspension_done_or_waits, "the suspension finishes or waits")
            await holder.rollback()
        nominated, suspended = await asyncio.gather(nominating, suspending)
        assert suspended.status_code == 200, suspended.text
        assert nominated.status_code in (201, 409), nominated.text
        assert await c.live_count(lawyer_id=uuid.UUID(lawyer["id"])) == 0, (
            f"the nomination answered {nominated.status_code} and left a live membership for "
            "a lawyer whose certificate is suspended"
        )


async def test_a_suspension_during_a_renewal_leaves_no_live_membership(conc_settings):
    """The same gap in a renewal: the member is read, the agency's lock is awaited, and a
    suspension commits meanwhile; the renewal must not nominate the suspended lawyer."""
    year = current_year()
    async with cluster(conc_settings, 2) as c:
        agency = await c.agency()
        [lawyer] = await c.lawyers(agency, 1)
        officer = c.officer(agency)
        response = await nomination(c, 0, officer, lawyer, year)
        approve = await c.client(0).post(
            f"{API}/pool/memberships/{response.json()['id']}/approve",
            headers=c.headers(Role.CENTER_COORDINATOR),
        )
        assert approve.status_code == 200, approve.text
        async with c.engine.connect() as holder:
            await holder.execute(
                text("SELECT id FROM agencies WHERE id = :id FOR UPDATE"),
                {"id": uuid.UUID(agency["id"])},
            )
            renewing = asyncio.create_task(
                c.client(0).post(
                    f"{API}/pool/memberships/renewals",
                    json={"from_year": year, "to_year": year + 1},
                    headers=officer,
                )
            )

            async def renewal_waits() -> bool:
                return await c.lock_waiters() >= 1

            await c.until(renewal_waits, "the renewal waits for the agency's lock")
            suspending = asyncio.create_task(
                c.client(1).put(
                    f"{API}/lawyers/{lawyer['id']}/certificate-status",
                    json={"status": "suspended", "reason": "暂停执业"},
                    headers=c.headers(Role.SUPERVISOR),
                )
            )

            async def suspension_done_or_waits() -> bool:
                return suspending.done() or await c.lock_waiters() >= 2

            await c.until(suspension_done_or_waits, "the suspension finishes or waits")
            await holder.rollback()
        renewed, suspended = await asyncio.gather(renewing, suspending)
        assert suspended.status_code == 200, suspended.text
        assert renewed.status_code == 200, renewed.text
        assert await c.live_count(lawyer_id=uuid.UUID(lawyer["id"])) == 0, (
            f"the renewal reported {renewed.json()} and left a live membership for a lawyer "
            "whose certificate is suspended"
        )


async def test_a_suspension_during_an_approval_withdraws_the_membership(conc_settings):
    """The approval has checked the certificate and waits to commit; the suspension waits
    for the membership row, then withdraws the freshly approved membership: afterwards no
    live membership is left for the suspended lawyer."""
    year = current_year()
    async with cluster(conc_settings, 2) as c:
        agency = await c.agency()
        [lawyer] = await c.lawyers(agency, 1)
        response = await nomination(c, 0, c.officer(agency), lawyer, year)
        membership_id = response.json()["id"]
        async with c.stall_writes():
            # The approval has made its checks and stops before its commit.
            approving = asyncio.create_task(
                c.client(0).post(
                    f"{API}/pool/memberships/{membership_id}/approve",
                    headers=c.headers(Role.CENTER_COORDINATOR),
                )
            )

            async def approval_waits() -> bool:
                return approving.done() or await c.lock_waiters() >= 1

            await c.until(approval_waits, "the approval waits to commit")
            suspending = asyncio.create_task(
                c.client(1).put(
                    f"{API}/lawyers/{lawyer['id']}/certificate-status",
                    json={"status": "suspended", "reason": "暂停执业"},
                    headers=c.headers(Role.SUPERVISOR),
                )
            )

            async def suspension_waits() -> bool:
                return suspending.done() or await c.lock_waiters() >= 2

            await c.until(suspension_waits, "the suspension waits")
        approved, suspended = await asyncio.gather(approving, suspending)
        assert suspended.status_code == 200, suspended.text
        assert approved.status_code in (200, 409), approved.text
        assert await c.live_count(lawyer_id=uuid.UUID(lawyer["id"])) == 0
