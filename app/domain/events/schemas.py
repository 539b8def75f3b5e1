"""Events as the feed and webhook deliveries show them (SPEC 2.16)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from app.domain.common.schema import OutputModel
from app.states.codes import EventType


class EventSubject(OutputModel):
    type: str = Field(examples=["case"])
    id: uuid.UUID = Field(examples=["01936f7e-8a2b-7c3d-9e4f-5a6b7c8d9e0f"])


class EventOut(OutputModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="Unique; also the `webhook-id` of its deliveries")
    type: EventType
    occurred_at: datetime
    subject: EventSubject
    data: dict[str, Any] = Field(
        description="The object as the API shows it (personal data masked)"
    )


class EventPage(OutputModel):
    items: list[EventOut]
    next_cursor: str = Field(
        description="Pass as `after` to read on; always given, also at the end of the feed"
    )
    has_more: bool = Field(description="True when more events are ready to be read at once")


def event_out(event: Any) -> EventOut:
    return EventOut(
        id=event.id,
        type=event.type,
        occurred_at=event.occurred_at,
        subject=EventSubject(type=event.subject_type, id=event.subject_id),
        data=event.data,
    )
