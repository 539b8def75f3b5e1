"""Delivering webhooks (SPEC 2.16), by the service's own processes, coordinated through the
database so that any number of them deliver each event once per endpoint and a process
killed at any moment loses nothing.

One round (``Deliverer.run_once``), in every API process (lifespan task) and in ``adr
worker``:

1. the relay numbers newly committed events (``feed.relay``);
2. the fan-out, one process at a time (its row is locked with SKIP LOCKED), turns events
   after its stored position into deliveries, one per matching active endpoint (unique per
   endpoint and event, so a repeated fan-out adds nothing), and moves its position on, in
   the same transaction;
3. due deliveries are claimed (``FOR UPDATE SKIP LOCKED``) and given a lease, and that
   transaction commits before any HTTP request is made: no lock is held while waiting for
   a receiver;
4. each is sent (signed per Standard Webhooks, ``webhook-id`` = the event id, the same on
   every try), and its result recorded in a transaction of its own.

A process killed between 3 and 4 leaves a lease that runs out; another process then claims
the delivery again and sends it again with the same ``webhook-id`` (at least once: receivers
drop duplicates by that id). docs/decisions.md explains why this is a small loop of our own
rather than a job library.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook

from app.clock import now_utc
from app.db.models import Event, WebhookEndpoint
from app.db.repositories import webhooks as repo
from app.db.session import Database, transaction
from app.db.types import new_id
from app.domain.audit import service as audit
from app.domain.common.crypto import FieldCipher
from app.domain.events import feed
from app.domain.events.delivery_transition import move_delivery
from app.domain.events.outbox import record_event
from app.domain.events.schemas import event_out
from app.domain.events.ssrf import IPNetwork, Resolver, UnsafeWebhookTarget, resolve_target
from app.domain.events.ssrf import system_resolver as default_resolver
from app.domain.events.webhook_schemas import WebhookOut
from app.domain.events.webhooks import SECRET_FIELD
from app.settings import Settings
from app.states.codes import DeliveryStatus, EventType
from app.states.delivery import DISABLE_AFTER, retry_delay

log = structlog.get_logger("adr.webhooks")

Clock = Callable[[], datetime]
FANOUT_BATCH = 500
USER_AGENT = "adr-webhooks/1"


@dataclass(frozen=True)
class Claimed:
    """What a claimed delivery needs for its try, read before the claim commits."""

    delivery_id: uuid.UUID
    event_id: str
    url: str
    secret_sealed: str
    payload: dict[str, Any]
    lease_expires_at: datetime


@dataclass(frozen=True)
class Result:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class Deliverer:
    """Delivers due webhooks; clock, transport, resolver and randomness can be injected
    (tests drive time forward and point it at local servers)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    cipher: FieldCipher
    allowed_networks: Sequence[IPNetwork] = ()
    timeout_s: float = 10.0
    lease: timedelta = timedelta(seconds=60)
    batch: int = 20
    clock: Clock = now_utc
    transport: httpx.AsyncBaseTransport | None = None
    resolver: Resolver = default_resolver
    random_unit: Callable[[], float] = field(default=random.random)

    async def run_once(self) -> int:
        """Relay, fan out, and make one try of every due delivery (up to ``batch``);
        returns how many tries were made."""
        async with transaction(self.sessionmaker) as session:
            await feed.relay(session)
        async with transaction(self.sessionmaker) as session:
            await fan_out(session, now=self.clock())
        async with transaction(self.sessionmaker) as session:
            claimed = await self._claim(session)
        if not claimed:
            return 0
        async with httpx.AsyncClient(
            transport=self.transport, timeout=self.timeout_s, follow_redirects=False
        ) as client:
            results = await asyncio.gather(*(self._send(client, c) for c in claimed))
        for item, result in zip(claimed, results, strict=True):
            async with transaction(self.sessionmaker) as session:
                await self._record(session, item, result)
        return len(claimed)

    async def _claim(self, session: AsyncSession) -> list[Claimed]:
        now = self.clock()
        claimed = []
        for delivery, endpoint in await repo.claim_due(session, now=now, limit=self.batch):
            move_delivery(delivery, DeliveryStatus.DELIVERING, now=now)
            delivery.lease_expires_at = now + self.lease
            claimed.append(
                Claimed(
                    delivery.id,
                    str(delivery.event_id),
                    endpoint.url,
                    endpoint.secret_sealed,
                    delivery.payload,
                    delivery.lease_expires_at,
                )
            )
        await session.flush()
        return claimed

    async def _send(self, client: httpx.AsyncClient, item: Claimed) -> Result:
        try:
            target = await resolve_target(item.url, self.allowed_networks, resolver=self.resolver)
        except UnsafeWebhookTarget as refused:
            return Result(None, f"refused: {refused}"[:500])
        body = orjson.dumps(item.payload)
        moment = self.clock()
        secret = self.cipher.decrypt(item.secret_sealed, field=SECRET_FIELD)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "host": target.host_header(),
            "webhook-id": item.event_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(secret).sign(item.event_id, moment, body),
        }
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            response = await client.post(
                target.pinned_url(), content=body, headers=headers, extensions=extensions
            )
        except httpx.TimeoutException:
            return Result(None, f"no answer within {self.timeout_s:g} s")
        except httpx.HTTPError as error:
            return Result(None, f"{type(error).__name__}: {error}"[:500])
        return Result(response.status_code, None if response.is_success else "not a 2xx answer")

    async def _record(self, session: AsyncSession, item: Claimed, result: Result) -> None:
        delivery = await repo.get_delivery(session, item.delivery_id, for_update=True)
        if (
            delivery is None
            or delivery.status != DeliveryStatus.DELIVERING.value
            or delivery.lease_expires_at != item.lease_expires_at
        ):
            # Our lease ran out and another process took the delivery over (or it was
            # removed): its result, not ours, is the one to keep.
            return
        endpoint = await repo.get_endpoint(session, delivery.endpoint_id, for_update=True)
        now = self.clock()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code, delivery.last_error = result.status_code, result.error
        delivery.lease_expires_at = None
        if result.ok:
            move_delivery(delivery, DeliveryStatus.SUCCEEDED, now=now)
            delivery.next_attempt_at = None
            if endpoint is not None:
                endpoint.failing_since = None
            return
        delay = retry_delay(delivery.attempts, self.random_unit())
        target = DeliveryStatus.PENDING if delay is not None else DeliveryStatus.FAILED
        move_delivery(delivery, target, now=now)
        delivery.next_attempt_at = now + delay if delay is not None else None
        log.info(
            "webhook_attempt_failed",
            delivery_id=str(delivery.id),
            attempts=delivery.attempts,
            status_code=result.status_code,
            final=delay is None,
        )
        if endpoint is not None:
            await _note_failure(session, endpoint, now)


async def _note_failure(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Start or extend the endpoint's run of failures; 24 h straight disables it, with an
    event of its own (and an audit record: the service changed it, not a person)."""
    endpoint.failing_since = endpoint.failing_since or now
    if not endpoint.active or now - endpoint.failing_since < DISABLE_AFTER:
        return
    endpoint.active = False
    endpoint.disabled_reason = "failing_for_24_hours"
    endpoint.version += 1
    endpoint.updated_at = now
    await session.flush()
    record_event(
        session,
        EventType.WEBHOOK_DISABLED,
        ("webhook", endpoint.id),
        WebhookOut.model_validate(endpoint),
    )
    audit.record(
        session,
        actor=None,
        action="webhook.disabled",
        object_type="webhook",
        object_id=endpoint.id,
        changes={"failing_since": endpoint.failing_since, "reason": endpoint.disabled_reason},
    )
    log.warning("webhook_disabled", webhook_id=str(endpoint.id))


def _wants(endpoint: WebhookEndpoint, event: Event) -> bool:
    return (not endpoint.types or event.type in endpoint.types) and (
        event.occurred_at >= endpoint.created_at
    )


async def fan_out(
    session: AsyncSession, *, now: datetime | None = None, batch: int = FANOUT_BATCH
) -> int:
    """Deliveries for the events after the fan-out's position; returns how many were
    created. One process at a time: another that holds the row makes this a no-op."""
    state = await repo.lock_fanout(session)
    if state is None:
        return 0
    events = await repo.events_after(session, state.last_position, limit=batch)
    if not events:
        return 0
    endpoints = await repo.active_endpoints(session)
    now = now or now_utc()
    rows = [
        {
            "id": new_id(),
            "endpoint_id": endpoint.id,
            "event_id": event.id,
            "event_type": event.type,
            "payload": event_out(event).model_dump(mode="json"),
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for event in events
        for endpoint in endpoints
        if _wants(endpoint, event)
    ]
    await repo.insert_deliveries(session, rows)
    state.last_position = int(events[-1].position or state.last_position)
    await session.flush()
    return len(rows)


async def run_forever(deliverer: Deliverer, *, interval_s: float, stop: asyncio.Event) -> None:
    """Deliver until ``stop`` is set: at once again while there was work, else every
    ``interval_s`` seconds. A failed round is logged and never ends the loop."""
    while not stop.is_set():
        busy = 0
        try:
            busy = await deliverer.run_once()
        except Exception:
            log.exception("webhook_round_failed")
        if busy:
            continue
        pause = interval_s * (0.8 + 0.4 * random.random())  # noqa: S311  (not cryptographic)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=pause)


def webhook_deliverer(settings: Settings, database: Database, cipher: FieldCipher) -> Deliverer:
    """The deliverer of a process, as its settings say."""
    return Deliverer(
        sessionmaker=database.sessionmaker,
        cipher=cipher,
        allowed_networks=settings.webhook_allowed_networks,
        timeout_s=settings.webhook_timeout_s,
    )
