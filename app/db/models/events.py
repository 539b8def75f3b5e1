"""The outbox (SPEC 2.16) and the webhook subscriptions and deliveries fed from it.

An event row is inserted by the transaction whose change it describes, with no lock;
``serial`` orders insertion only. Its place in the feed, ``position``, is given after the
commit by the relay (``app/domain/events/relay.py``), one relay at a time, so a reader that
has passed a position can never be overtaken by an event that commits late
(docs/concurrency.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, Code, JSONType, UTCDateTime, new_id
from app.states.codes import DeliveryStatus


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        # What the relay looks for: small, since events are positioned within a second.
        Index(
            "ix_events_unpositioned",
            "serial",
            postgresql_where=text("position IS NULL"),
            sqlite_where=text("position IS NULL"),
        ),
    )

    serial: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    position: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    id: Mapped[uuid.UUID] = mapped_column(GUID, unique=True)
    type: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    # Event types delivered; empty: every type.
    types: Mapped[list[str]] = mapped_column(JSONType)
    # The signing secret, sealed with the field cipher (it must be read back to sign).
    secret_sealed: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    # Start of the current run of failed attempts; cleared by a success.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[str] = mapped_column(String(200))


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # Each event once per endpoint, however many processes fan out.
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    # The event's id, sent as ``webhook-id`` on every attempt (the receiver's duplicate key).
    event_id: Mapped[uuid.UUID] = mapped_column(GUID)
    event_type: Mapped[str] = mapped_column(String(60))
    # The exact body delivered: the event as the feed shows it.
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[DeliveryStatus] = mapped_column(Code(DeliveryStatus, 20))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A claimed delivery belongs to its process until then; a process killed mid-attempt
    # leaves a lease that runs out, and another process takes the delivery over.
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class WebhookFanout(Base):
    """One row: how far the fan-out (events -> deliveries) has read the feed."""

    __tablename__ = "webhook_fanout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_position: Mapped[int] = mapped_column(BigInteger)
