"""The annual mediator pool (和解调解员人才库, Art. 10)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, Code, UTCDateTime, codes_in, new_id
from app.states.codes import MembershipStatus
from app.states.membership import LIVE_STATUSES

_LIVE = codes_in("status", LIVE_STATUSES)


class PoolMembership(Base):
    __tablename__ = "pool_memberships"
    __table_args__ = (
        # A lawyer holds at most one live membership a year; withdrawn and rejected ones
        # stay as history and do not block a new nomination.
        Index(
            "uq_pool_memberships_live_lawyer_year",
            "lawyer_id",
            "year",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
        Index("ix_pool_memberships_agency_year", "agency_id", "year", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    lawyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lawyers.id"), index=True)
    # The lawyer's agency when nominated: the quota is per agency and per year (Art. 10).
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[MembershipStatus] = mapped_column(Code(MembershipStatus, 20))
    status_reason: Mapped[str | None] = mapped_column(String(500))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    nominated_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
