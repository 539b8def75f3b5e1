"""Webhook subscriptions (SPEC 2.16, admin): register, read, change, remove; the delivery
log, a manual retry and a test ping. Deliveries themselves are made by
``app/domain/events/delivery.py``."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import WebhookDelivery, WebhookEndpoint
from app.db.repositories import webhooks as repo
from app.db.types import new_id
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.common.crypto import FieldCipher
from app.domain.events.delivery_transition import move_delivery
from app.domain.events.ssrf import (
    IPNetwork,
    Resolver,
    UnsafeWebhookTarget,
    resolve_target,
    system_resolver,
)
from app.domain.events.webhook_schemas import DeliveryOut, WebhookIn, WebhookOut, WebhookPatch
from app.domain.paging import BY_ID, Page
from app.errors import Conflict, NotFound, ValidationFailed
from app.states.codes import DeliveryStatus

SECRET_FIELD = "webhook.secret"  # noqa: S105  (the cipher's field label, not a secret)
TEST_EVENT_TYPE = "webhook.test"


def new_secret() -> str:
    """``whsec_`` and 32 random bytes in base64, as Standard Webhooks libraries read it."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


async def _checked_url(
    url: str, allowed: Sequence[IPNetwork], resolver: Resolver = system_resolver
) -> str:
    try:
        await resolve_target(url, allowed, resolver=resolver)
    except UnsafeWebhookTarget as refused:
        raise ValidationFailed.of_field("url", str(refused), "unsafe_webhook_url") from None
    return url


async def create(
    session: AsyncSession,
    *,
    actor: Actor,
    data: WebhookIn,
    cipher: FieldCipher,
    allowed: Sequence[IPNetwork],
    resolver: Resolver = system_resolver,
) -> tuple[WebhookEndpoint, str]:
    """A new subscription and its secret (returned once, stored sealed)."""
    url = await _checked_url(data.url, allowed, resolver)
    secret = new_secret()
    now = now_utc()
    endpoint = WebhookEndpoint(
        id=new_id(),
        url=url,
        description=data.description,
        types=[t.value for t in data.types],
        secret_sealed=cipher.encrypt(secret, field=SECRET_FIELD),
        active=True,
        version=1,
        created_at=now,
        updated_at=now,
        created_by=actor.sub,
    )
    session.add(endpoint)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="webhook.create",
        object_type="webhook",
        object_id=endpoint.id,
        changes={"url": url, "types": endpoint.types},
    )
    return endpoint, secret


async def get(
    session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint:
    endpoint = await repo.get_endpoint(session, endpoint_id, for_update=for_update)
    if endpoint is None:
        raise NotFound("no such webhook")
    return endpoint


async def list_endpoints(
    session: AsyncSession, *, cursor: str | None, limit: int
) -> Page[WebhookOut]:
    """A page of the subscriptions, newest first (never their secrets)."""
    found = await repo.list_endpoints(session, after=BY_ID.decode(cursor), limit=limit)
    return BY_ID.page(found, WebhookOut.model_validate)


async def list_deliveries(
    session: AsyncSession,
    *,
    endpoint_id: uuid.UUID,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[DeliveryOut]:
    """A page of a subscription's delivery log, newest first (404 for no such webhook)."""
    endpoint = await get(session, endpoint_id)
    found = await repo.list_deliveries(
        session,
        endpoint_id=endpoint.id,
        status=status.value if status else None,
        after=BY_ID.decode(cursor),
        limit=limit,
    )
    return BY_ID.page(found, DeliveryOut.model_validate)


async def update(
    session: AsyncSession,
    *,
    actor: Actor,
    endpoint_id: uuid.UUID,
    patch: WebhookPatch,
    allowed: Sequence[IPNetwork],
    resolver: Resolver = system_resolver,
) -> WebhookEndpoint:
    endpoint = await get(session, endpoint_id, for_update=True)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    for name in ("url", "types", "active"):
        if name in changes and changes[name] is None:
            raise ValidationFailed.of_field(name, "may not be null", "null_not_allowed")
    if patch.url is not None:
        endpoint.url = await _checked_url(patch.url, allowed, resolver)
    if patch.types is not None:
        endpoint.types = [t.value for t in patch.types]
    if patch.active is not None:
        endpoint.active = patch.active
        if patch.active:  # resumed: the run of failures starts again from nothing
            endpoint.disabled_reason, endpoint.failing_since = None, None
    endpoint.version += 1
    endpoint.updated_at = now_utc()
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="webhook.update",
        object_type="webhook",
        object_id=endpoint.id,
        changes=changes,
    )
    return endpoint


async def remove(session: AsyncSession, *, actor: Actor, endpoint_id: uuid.UUID) -> None:
    """The subscription and its delivery log."""
    endpoint = await get(session, endpoint_id, for_update=True)
    await repo.delete_deliveries(session, endpoint.id)
    await session.delete(endpoint)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="webhook.delete",
        object_type="webhook",
        object_id=endpoint_id,
        changes={"url": endpoint.url},
    )


async def retry(
    session: AsyncSession, *, actor: Actor, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Try a delivery again at once (one more try; a failed one that fails again is failed
    again). Its endpoint must be active."""
    endpoint = await get(session, endpoint_id)
    delivery = await repo.get_delivery(
        session, delivery_id, endpoint_id=endpoint.id, for_update=True
    )
    if delivery is None:
        raise NotFound("no such delivery")
    if not endpoint.active:
        raise Conflict(
            "the webhook is disabled; activate it first (PATCH active: true)",
            code="webhook_inactive",
        )
    now = now_utc()
    move_delivery(delivery, DeliveryStatus.PENDING, now=now)
    delivery.next_attempt_at, delivery.lease_expires_at = now, None
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="webhook.delivery_retry",
        object_type="webhook_delivery",
        object_id=delivery.id,
        changes={"webhook_id": endpoint.id},
    )
    return delivery


async def ping(session: AsyncSession, *, actor: Actor, endpoint_id: uuid.UUID) -> WebhookDelivery:
    """A test event for this endpoint only, delivered like any other (same headers, same
    signature, same retries), so the receiver can check its set-up end to end."""
    endpoint = await get(session, endpoint_id)
    if not endpoint.active:
        raise Conflict(
            "the webhook is disabled; activate it first (PATCH active: true)",
            code="webhook_inactive",
        )
    now = now_utc()
    event_id = new_id()
    delivery = WebhookDelivery(
        id=new_id(),
        endpoint_id=endpoint.id,
        event_id=event_id,
        event_type=TEST_EVENT_TYPE,
        payload={
            "id": str(event_id),
            "type": TEST_EVENT_TYPE,
            "occurred_at": now.isoformat(),
            "subject": {"type": "webhook", "id": str(endpoint.id)},
            "data": {"message": "a test delivery asked for by an administrator"},
        },
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="webhook.test",
        object_type="webhook",
        object_id=endpoint.id,
        changes={"delivery_id": delivery.id},
    )
    return delivery
