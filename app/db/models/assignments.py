"""Dispatches (统一委派, Art. 9–10): offers to public lawyers to preside over or take part
in a case's reconciliation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.db.base import Base
from app.db.types import (
    GUID,
    Code,
    JSONType,
    UTCDateTime,
    code_column_type,
    codes_in,
    new_id,
)
from app.states.assignment import OPEN_STATUSES
from app.states.codes import AssignmentStatus, DispatchRole

_OPEN = codes_in("status", OPEN_STATUSES)
_LIVE_PRESIDING = text(f"role = '{DispatchRole.PRESIDING.value}' AND {_OPEN.text}")


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        # The database itself refuses a second live presiding mediator on a case, and the
        # same lawyer twice on one case, whatever the application does.
        Index(
            "uq_assignments_live_presiding",
            "case_id",
            unique=True,
            postgresql_where=_LIVE_PRESIDING,
            sqlite_where=_LIVE_PRESIDING,
        ),
        Index(
            "uq_assignments_open_lawyer_case",
            "case_id",
            "lawyer_id",
            unique=True,
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        ),
        Index("ix_assignments_lawyer_status", "lawyer_id", "status"),
        # Dispatch ranks by each lawyer's most recent offer: one index step per lawyer,
        # however long their history.
        Index("ix_assignments_lawyer_offered_at", "lawyer_id", "offered_at"),
        Index("ix_assignments_status_respond_by", "status", "respond_by"),
        # Statistics: the offers made in a period and how they ended, from the index alone.
        Index(
            "ix_assignments_stats_offered",
            "offered_at",
            postgresql_include=[
                "case_id",
                "lawyer_id",
                "role",
                "status",
                "responded_at",
                "decline_reason",
            ],
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    lawyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lawyers.id"))
    role: Mapped[DispatchRole] = mapped_column(Code(DispatchRole, 20))
    status: Mapped[AssignmentStatus] = mapped_column(Code(AssignmentStatus, 20))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(code_column_type(30))
    decline_note: Mapped[str | None] = mapped_column(Text)
    conflict_decision: Mapped[str | None] = mapped_column(code_column_type(10))
    conflict_decision_note: Mapped[str | None] = mapped_column(Text)
    conflict_decided_by: Mapped[str | None] = mapped_column(String(200))
    # The agency head who decided (Art. 9: 本单位行政机关负责人); the officer who recorded
    # the ruling is ``conflict_decided_by``.
    conflict_decided_by_head: Mapped[str | None] = mapped_column(String(100))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    # Accepted work of a lawyer who left active service, for the center to reassign.
    needs_reassignment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    override_reason: Mapped[str | None] = mapped_column(Text)
    # Why this lawyer: the ranking figures at the time of the offer, or the override.
    reasoning: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offered_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
