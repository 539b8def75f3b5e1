"""The feed of events (SPEC 2.16): every committed event exactly once, in one stable order.

A number taken at insert cannot give that order: a transaction that took number 7 and
commits after number 8 did would be skipped by a reader already past 8. So an event gets
its ``position`` only after its transaction has committed, from the relay: one relay at a
time (an advisory lock on PostgreSQL; SQLite serialises writers anyway) numbers the
committed events that have none, after the highest position, and commits. Positions are
therefore visible in order and without holes, and a reader that asks for positions after
the last it saw never misses one. The relay runs in the background in every process and,
before reading, in the feed itself (without waiting: when another relay is at work, the
reader serves what is numbered and gets the rest next time). docs/concurrency.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.models import Event
from app.db.repositories import events as repo
from app.db.session import transaction
from app.domain.events.schemas import EventPage, event_out
from app.domain.paging import BY_POSITION
from app.states.codes import EventType

RELAY_BATCH = 1000


async def relay(session: AsyncSession, *, wait: bool = False) -> int:
    """Number committed events that have no position yet; returns how many were numbered
    (0 when another relay holds the lock and ``wait`` is false)."""
    if not await repo.lock_relay(session, wait=wait):
        return 0
    numbered = 0
    while (count := await repo.number_pending(session, batch=RELAY_BATCH)) > 0:
        numbered += count
        if count < RELAY_BATCH:
            break
    return numbered


async def relay_in_background(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with transaction(sessionmaker) as session:
        return await relay(session)


@dataclass(frozen=True)
class FeedPage:
    events: list[Event]
    last_position: int
    has_more: bool


async def read(
    session: AsyncSession,
    *,
    after: int,
    types: Sequence[EventType] | None,
    limit: int,
) -> FeedPage:
    """Events after position ``after``. The head is read first and the page bounded by it,
    so that ``last_position`` never claims events the page did not see."""
    await relay(session)
    head = await repo.head(session)
    codes = [t.value for t in types] if types else None
    events = await repo.page(session, after=after, up_to=head, types=codes, limit=limit)
    if len(events) == limit:
        return FeedPage(events, int(events[-1].position or after), has_more=True)
    return FeedPage(events, max(after, head), has_more=False)


async def read_page(
    session: AsyncSession, *, cursor: str | None, types: Sequence[EventType] | None, limit: int
) -> EventPage:
    """The feed's page after the cursor (from the start without one). Its ``next_cursor``
    is given also at the end of the feed: the place to poll from."""
    (after,) = BY_POSITION.decode(cursor) or (0,)
    page = await read(session, after=after, types=types, limit=limit)
    return EventPage(
        items=[event_out(e) for e in page.events],
        next_cursor=BY_POSITION.encode((page.last_position,)),
        has_more=page.has_more,
    )
