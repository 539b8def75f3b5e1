"""The audit trail (SPEC 4.4): append-only, each record chained to the previous by
HMAC-SHA256 under ``ADR_AUDIT_KEY`` (``chain_version`` 2; records sealed before the key was
introduced keep their plain SHA-256 links, version 1: docs/security.md).

A record is inserted by the transaction whose change it describes, with no lock (``serial``
orders insertion). The sealer then gives sealed records their place in the chain: ``seq``
(previous + 1, unique, so the chain cannot fork), ``prev_hash`` and ``hash``, written once.
On PostgreSQL a trigger refuses DELETE and TRUNCATE, and every UPDATE except that one-time
sealing of an unsealed record's chain fields (see migrations).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import GUID, JSONType, UTCDateTime, code_column_type


class AuditRecord(Base):
    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_object", "object_type", "object_id"),
        Index("ix_audit_records_occurred_at", "occurred_at"),
        # What the sealer looks for: small, since records are sealed within seconds.
        Index(
            "ix_audit_records_unsealed",
            "serial",
            postgresql_where=text("hash IS NULL"),
            sqlite_where=text("hash IS NULL"),
        ),
    )

    serial: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    id: Mapped[uuid.UUID] = mapped_column(GUID, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_sub: Mapped[str | None] = mapped_column(String(200), index=True)
    actor_role: Mapped[str | None] = mapped_column(code_column_type())
    actor_agency_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(code_column_type(20))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # How ``hash`` was computed: 1 SHA-256 (legacy), 2 HMAC-SHA256; set when sealed.
    chain_version: Mapped[int | None] = mapped_column(SmallInteger)


class FailedAuthenticationTally(Base):
    """Failed authentications per client address and minute (SPEC 4.4): anonymous traffic
    increments a counter here instead of appending to the audit trail; when the minute is
    over, the tally becomes one audit record carrying its count."""

    __tablename__ = "failed_authentication_tallies"

    client_address: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # What the record will say beyond the count: the first request, the last refusal.
    first_request_id: Mapped[str | None] = mapped_column(String(64))
    last_code: Mapped[str] = mapped_column(String(40))
    last_path: Mapped[str] = mapped_column(String(64))
