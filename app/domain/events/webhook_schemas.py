"""Webhook subscriptions and their deliveries as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.domain.common.schema import InputModel, OutputModel, not_nullable
from app.states.codes import DeliveryStatus, EventType

WebhookUrl = Annotated[
    str,
    Field(
        min_length=8,
        max_length=2000,
        pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s]+$",
        examples=["http://10.0.0.5/hooks/adr"],
        description="http(s); never a link-local or cloud-metadata address",
    ),
]
EventTypes = Annotated[
    list[EventType],
    Field(max_length=50, description="Event types to deliver; empty: every type"),
]


class WebhookIn(InputModel):
    url: WebhookUrl
    types: EventTypes = Field(default_factory=list)
    description: Annotated[str | None, Field(max_length=500)] = None


class WebhookPatch(InputModel):
    # JSON merge patch: a field left out keeps its value; none of these may be null.
    url: WebhookUrl | None = Field(None, json_schema_extra=not_nullable)
    types: EventTypes | None = Field(None, json_schema_extra=not_nullable)
    active: bool | None = Field(
        None,
        description="false pauses deliveries; true resumes a disabled endpoint",
        json_schema_extra=not_nullable,
    )


class WebhookOut(OutputModel):
    id: uuid.UUID
    url: str
    description: str | None
    types: list[EventType]
    active: bool
    disabled_reason: str | None = Field(description="Why the service disabled it, if it did")
    failing_since: datetime | None = Field(
        description="Start of the current run of failed tries; disabled after 24 h"
    )
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="The signing secret (`whsec_…`): shown this once, keep it safe",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class DeliveryOut(OutputModel):
    id: uuid.UUID
    webhook_id: uuid.UUID = Field(validation_alias="endpoint_id")
    event_id: uuid.UUID = Field(description="Sent as `webhook-id` on every try")
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="When the next try is due")
    created_at: datetime
