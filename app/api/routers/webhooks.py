"""Webhook subscriptions, their delivery log, manual retry and test ping (admin, SPEC 2.16)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from app.api.deps import AdminActor, CipherDep, Cursor, Limit, SessionDep, SettingsDep
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.events import webhooks as service
from app.domain.events.ssrf import Resolver, system_resolver
from app.domain.events.webhook_schemas import (
    DeliveryOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from app.domain.paging import Page
from app.states.codes import DeliveryStatus

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


def _resolver(request: Request) -> Resolver:
    # Tests put a resolver of their own here; the service resolves through the system.
    resolver: Resolver = getattr(request.app.state, "webhook_resolver", system_resolver)
    return resolver


@router.post(
    "",
    status_code=201,
    summary="Subscribe a URL to events; the signing secret is shown in this response only",
    operation_id="create_webhook",
    responses=WRITE_ERRORS,
)
async def create_webhook(
    body: WebhookIn,
    session: SessionDep,
    actor: AdminActor,
    cipher: CipherDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> WebhookCreated:
    endpoint, secret = await service.create(
        session,
        actor=actor,
        data=body,
        cipher=cipher,
        allowed=settings.webhook_allowed_networks,
        resolver=_resolver(request),
    )
    response.headers["Location"] = f"/api/v1/webhooks/{endpoint.id}"
    shown: dict[str, Any] = WebhookOut.model_validate(endpoint).model_dump()
    return WebhookCreated.model_validate({**shown, "secret": secret})


@router.get(
    "",
    summary="List webhook subscriptions (never their secrets)",
    operation_id="list_webhooks",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_webhooks(
    session: SessionDep, actor: AdminActor, limit: Limit = 50, cursor: Cursor = None
) -> Page[WebhookOut]:
    return await service.list_endpoints(session, cursor=cursor, limit=limit)


@router.get(
    "/{webhook_id}",
    summary="Read a webhook subscription",
    operation_id="get_webhook",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def get_webhook(webhook_id: uuid.UUID, session: SessionDep, actor: AdminActor) -> WebhookOut:
    return WebhookOut.model_validate(await service.get(session, webhook_id))


@router.patch(
    "/{webhook_id}",
    summary="Change a subscription's URL or types, pause it or resume it",
    operation_id="update_webhook",
    responses={**WRITE_ERRORS, **problem_responses(404)},
)
async def update_webhook(
    webhook_id: uuid.UUID,
    body: WebhookPatch,
    session: SessionDep,
    actor: AdminActor,
    settings: SettingsDep,
    request: Request,
) -> WebhookOut:
    endpoint = await service.update(
        session,
        actor=actor,
        endpoint_id=webhook_id,
        patch=body,
        allowed=settings.webhook_allowed_networks,
        resolver=_resolver(request),
    )
    return WebhookOut.model_validate(endpoint)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    summary="Remove a subscription and its delivery log",
    operation_id="delete_webhook",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def delete_webhook(webhook_id: uuid.UUID, session: SessionDep, actor: AdminActor) -> Response:
    await service.remove(session, actor=actor, endpoint_id=webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    summary="The delivery log: status, tries, last answer, next try (newest first)",
    operation_id="list_webhook_deliveries",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def list_webhook_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    actor: AdminActor,
    status: DeliveryStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DeliveryOut]:
    return await service.list_deliveries(
        session, endpoint_id=webhook_id, status=status, cursor=cursor, limit=limit
    )


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/retry",
    summary="Try a delivery again now",
    operation_id="retry_webhook_delivery",
    responses={**AUTH_ERRORS, **problem_responses(404, 409, 422)},
)
async def retry_webhook_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, actor: AdminActor
) -> DeliveryOut:
    delivery = await service.retry(
        session, actor=actor, endpoint_id=webhook_id, delivery_id=delivery_id
    )
    return DeliveryOut.model_validate(delivery)


@router.post(
    "/{webhook_id}/test",
    status_code=202,
    summary="Send a test event (`webhook.test`) to this subscription; see its deliveries",
    operation_id="test_webhook",
    responses={**AUTH_ERRORS, **problem_responses(404, 409, 422)},
)
async def test_webhook(
    webhook_id: uuid.UUID, session: SessionDep, actor: AdminActor
) -> DeliveryOut:
    return DeliveryOut.model_validate(
        await service.ping(session, actor=actor, endpoint_id=webhook_id)
    )
