"""Typical-case selections (典型案例评选, SPEC 2.13; Art. 18) and their decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, Code, UTCDateTime, new_id
from app.states.codes import SelectionStatus, TypicalDecision


class TypicalCaseSelection(Base):
    __tablename__ = "typical_case_selections"
    __table_args__ = (CheckConstraint("nominations_to >= nominations_from", "window"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    # Nominations made in this window (Asia/Shanghai days) belong to the selection.
    nominations_from: Mapped[date] = mapped_column(Date)
    nominations_to: Mapped[date] = mapped_column(Date)
    status: Mapped[SelectionStatus] = mapped_column(Code(SelectionStatus, 20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(200))


class TypicalCaseDecision(Base):
    __tablename__ = "typical_case_decisions"
    __table_args__ = (UniqueConstraint("selection_id", "case_id"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    selection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("typical_case_selections.id", ondelete="CASCADE")
    )
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    decision: Mapped[TypicalDecision] = mapped_column(Code(TypicalDecision, 20))
    note: Mapped[str | None] = mapped_column(String(2000))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
