"""Queries on webhook subscriptions, their deliveries and the fan-out's place in the feed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Event, WebhookDelivery, WebhookEndpoint, WebhookFanout
from app.db.repositories.paging import Key, KeysetPage, read_page
from app.states.codes import DeliveryStatus


async def get_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint | None:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_endpoints(
    session: AsyncSession, *, after: Key | None, limit: int
) -> KeysetPage[WebhookEndpoint]:
    """Newest first."""
    key = (WebhookEndpoint.id,)
    return await read_page(
        session, select(WebhookEndpoint), key, after=after, limit=limit, desc=True
    )


async def active_endpoints(session: AsyncSession) -> list[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    return list((await session.execute(stmt)).scalars())


async def lock_fanout(session: AsyncSession) -> WebhookFanout | None:
    """The fan-out's row, locked; None when another process is fanning out right now."""
    stmt = select(WebhookFanout).where(WebhookFanout.id == 1).with_for_update(skip_locked=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def events_after(session: AsyncSession, position: int, *, limit: int) -> list[Event]:
    stmt = select(Event).where(Event.position > position).order_by(Event.position).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def insert_deliveries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """New deliveries; one that exists (same endpoint and event) is left as it is."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(WebhookDelivery).on_conflict_do_nothing(
        index_elements=["endpoint_id", "event_id"]
    )
    await session.execute(stmt, list(rows))


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int
) -> list[tuple[WebhookDelivery, WebhookEndpoint]]:
    """Deliveries due now (pending and due, or delivering with a lease that ran out) of
    active endpoints, locked; those another process holds are skipped."""
    due = or_(
        and_(
            WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now
        ),
        and_(
            WebhookDelivery.status == DeliveryStatus.DELIVERING,
            WebhookDelivery.lease_expires_at <= now,
        ),
    )
    stmt = (
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(due, WebhookEndpoint.active.is_(True))
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    return [(d, e) for d, e in (await session.execute(stmt)).all()]


async def get_delivery(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    *,
    endpoint_id: uuid.UUID | None = None,
    for_update: bool = False,
) -> WebhookDelivery | None:
    stmt = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_deliveries(
    session: AsyncSession,
    *,
    endpoint_id: uuid.UUID,
    status: str | None,
    after: Key | None,
    limit: int,
) -> KeysetPage[WebhookDelivery]:
    """Newest first."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    key = (WebhookDelivery.id,)
    return await read_page(session, stmt, key, after=after, limit=limit, desc=True)


async def delete_deliveries(session: AsyncSession, endpoint_id: uuid.UUID) -> None:
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id))
