"""The feed under parallel commits, and webhook delivery by several processes (SPEC 2.16),
on PostgreSQL against a committed database.

Writers insert their event early in their transaction and commit late, after a random
delay, so insertion order and commit order differ; some roll back. A reader follows
``next_cursor`` through the API of another "process" the whole time. It must see every
committed event exactly once and none that rolled back: an order fixed at insert would
make it skip the events that committed late.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from app.db.session import create_database, transaction
from app.domain.auth.tokens import mint_token
from app.domain.events import feed
from app.domain.events.delivery import Deliverer
from app.domain.events.outbox import record_event
from app.settings import Settings
from app.states.codes import EventType, Role
from tests.support import databases
from tests.support.app_cluster import cluster
from tests.support.webhook_receiver import webhook_receiver

pytestmark = pytest.mark.postgres_only

WRITERS = 24
EVENTS_PER_WRITER = 8


@pytest.fixture
async def settings() -> Settings:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = await databases.prepare_database("adr_conc_events_" + worker)
    return databases.test_settings(url)


async def test_a_reader_sees_every_committed_event_once_while_writers_commit(settings):
    writer_db = create_database(settings)
    relay_db = create_database(settings)
    # The reader polls as fast as it can for as long as the writers write: not a client the
    # request budget is meant for, and not what this test is about.
    reader_settings = settings.model_copy(update={"rate_limit_per_minute": 1_000_000})
    headers = {
        "Authorization": f"Bearer {mint_token(settings, sub='feed', role=Role.CENTER_COORDINATOR)}"
    }
    rng = random.Random(13)
    committed: list[str] = []
    rolled_back: list[str] = []
    writing = True

    async def writer(n: int) -> None:
        for i in range(EVENTS_PER_WRITER):
            fail = (n + i) % 7 == 0
            ids = []
            try:
                async with transaction(writer_db.sessionmaker) as session:
                    for _ in range(2):
                        event = record_event(
                            session, EventType.CASE_CORRECTED, ("case", uuid.uuid4()), {"n": n}
                        )
                        ids.append(str(event.id))
                    await session.flush()  # inserted now: the serial is taken
                    await asyncio.sleep(rng.random() * 0.3)  # ... committed later
                    if fail:
                        raise RuntimeError("rolled back")
            except RuntimeError:
                rolled_back.extend(ids)
            else:
                committed.extend(ids)

    slow_inserted = asyncio.Event()

    async def slow_writer() -> None:
        """Inserts first and commits only after the reader has read events inserted after
        its own: the case an order fixed at insert gets wrong, made certain."""
        async with transaction(writer_db.sessionmaker) as session:
            event = record_event(session, EventType.CASE_CORRECTED, ("case", uuid.uuid4()), {})
            await session.flush()
            slow_inserted.set()
            # The reader may fail instead: then its error ends the test, not a wait forever.
            passed = asyncio.ensure_future(reader_passed_ten.wait())
            await asyncio.wait({passed, reading}, return_when=asyncio.FIRST_COMPLETED)
            if reading.done():
                passed.cancel()
                reading.result()
        committed.append(str(event.id))

    async def fast_writers() -> None:
        await slow_inserted.wait()
        await asyncio.gather(*(writer(n) for n in range(WRITERS)))

    async def relay_loop() -> None:
        while writing:
            async with transaction(relay_db.sessionmaker) as session:
                await feed.relay(session)
            await asyncio.sleep(0.01)

    seen: list[str] = []
    positions: list[int] = []
    reading_started = asyncio.Event()
    reader_passed_ten = asyncio.Event()

    async def reader(client: httpx.AsyncClient) -> None:
        after = None
        while True:
            still_writing = writing
            params: dict[str, Any] = {"limit": 7}
            if after:
                params["after"] = after
            response = await client.get("/api/v1/events", params=params, headers=headers)
            assert response.status_code == 200, response.text
            page = response.json()
            seen.extend(e["id"] for e in page["items"])
            reading_started.set()
            if len(seen) >= 10:
                reader_passed_ten.set()
            after = page["next_cursor"]
            positions.append(json.loads(_decode(after))["p"])
            if not page["has_more"]:
                if not still_writing:
                    return
                await asyncio.sleep(0.005)

    async with cluster(reader_settings, 1, timeout=60) as readers:
        reading = asyncio.create_task(reader(readers.client(0)))
        relaying = asyncio.create_task(relay_loop())
        async with asyncio.timeout(300):  # a failure, never a hang
            await reading_started.wait()  # the reader is following before anyone writes
            await asyncio.gather(slow_writer(), fast_writers())
            writing = False
            await asyncio.gather(reading, relaying)
    for database in (writer_db, relay_db):
        await database.engine.dispose()

    assert len(committed) > WRITERS  # the test wrote what it meant to
    assert rolled_back
    counts = Counter(seen)
    assert [e for e, c in counts.items() if c > 1] == []
    assert set(seen) == set(committed)
    assert not set(seen) & set(rolled_back)
    assert positions == sorted(positions)


def _decode(cursor: str) -> str:
    import base64

    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


async def test_two_worker_processes_deliver_each_event_once(settings):
    writer_db = create_database(settings)
    worker_dbs = [create_database(settings) for _ in range(2)]
    async with (
        webhook_receiver(200) as receiver,
        cluster(settings, 1) as api,  # for the cipher and the subscription
    ):
        app = api.apps[0]
        hook = await api.client(0).post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "types": ["case.corrected"]},
            headers=api.headers(Role.ADMIN, sub="hooks"),
        )
        assert hook.status_code == 201, hook.text
        ids = []
        for _ in range(40):
            async with transaction(writer_db.sessionmaker) as session:
                subject = ("case", uuid.uuid4())
                ids.append(str(record_event(session, EventType.CASE_CORRECTED, subject, {}).id))
        workers = [Deliverer(db.sessionmaker, app.state.cipher, batch=5) for db in worker_dbs]

        async def work(deliverer: Deliverer) -> None:
            idle = 0
            while idle < 3:
                idle = 0 if await deliverer.run_once() else idle + 1

        await asyncio.gather(*(work(w) for w in workers), *(work(w) for w in workers))
    for database in (writer_db, *worker_dbs):
        await database.engine.dispose()

    delivered = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert set(delivered) == set(ids)
    assert set(delivered.values()) == {1}
