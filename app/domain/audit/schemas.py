"""Audit trail schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from app.domain.common.schema import OutputModel


class AuditRecordOut(OutputModel):
    seq: int
    id: uuid.UUID
    occurred_at: datetime
    actor_sub: str | None
    actor_role: str | None
    actor_agency_id: uuid.UUID | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    request_id: str | None
    client_address: str | None
    changes: dict[str, Any] | None
    prev_hash: str
    hash: str


class ChainReportOut(OutputModel):
    valid: bool
    records_checked: int
    last_seq: int | None
    first_broken_seq: int | None
    problem: str | None
    checked_at: datetime | None
    legacy_records: int = Field(
        description="Records chained by plain SHA-256 before the keyed chain began; this "
        "number never grows (docs/security.md)"
    )
    checkpoint_seq: int | None = None
