"""Versions of the numeric rules of the measures (Art. 20: they have an effective period)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, UTCDateTime, new_id


class PolicyVersion(Base):
    __tablename__ = "policy_versions"
    __table_args__ = (
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", "period"),
        CheckConstraint("pool_min_per_agency <= pool_max_per_agency", "pool_bounds"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    effective_to: Mapped[date | None] = mapped_column(Date)
    pool_max_per_agency: Mapped[int] = mapped_column(Integer)
    pool_min_per_agency: Mapped[int] = mapped_column(Integer)
    deadline_warning_days: Mapped[int] = mapped_column(Integer)
    duplicate_window_days: Mapped[int] = mapped_column(Integer)
    collective_threshold: Mapped[int] = mapped_column(Integer)
    max_open_assignments: Mapped[int] = mapped_column(Integer)
    offer_response_hours: Mapped[int] = mapped_column(Integer)
    auto_redispatch: Mapped[bool] = mapped_column(Boolean)
    repeat_honour_threshold: Mapped[int] = mapped_column(Integer, default=2)
    basis: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[str] = mapped_column(String(200))
