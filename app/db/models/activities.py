"""Activities public lawyers record outside dispatched cases (履职活动, SPEC 2.11)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, Code, UTCDateTime, new_id
from app.states.codes import ActivityKind, ActivityStatus, Campaign, MediationRole, VenueType


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 10000", "quantity"),
        CheckConstraint("hours IS NULL OR (hours >= 0 AND hours <= 24)", "hours"),
        CheckConstraint("participants IS NULL OR participants >= 0", "participants"),
        Index("ix_activities_agency_occurred", "agency_id", "occurred_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    kind: Mapped[ActivityKind] = mapped_column(Code(ActivityKind, 40))
    status: Mapped[ActivityStatus] = mapped_column(Code(ActivityStatus, 20))
    # The recording agency: its officers confirm the record, and it is the unit whose
    # lawyers' work this is (Art. 19 counts a unit's lawyers' activities).
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(4000))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    participants: Mapped[int | None] = mapped_column(Integer)
    hours: Mapped[float | None] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(String(200))
    venue_type: Mapped[VenueType | None] = mapped_column(Code(VenueType, 20))
    campaign: Mapped[Campaign] = mapped_column(Code(Campaign, 20))
    publication: Mapped[str | None] = mapped_column(String(500))
    mediation_role: Mapped[MediationRole | None] = mapped_column(Code(MediationRole, 20))
    # Who recorded it; a lawyer's own record names the lawyer, who may correct or withdraw it.
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_by_lawyer_id: Mapped[uuid.UUID | None] = mapped_column(GUID)
    # The officer's note when returning the record, until it is corrected.
    status_note: Mapped[str | None] = mapped_column(String(500))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    # Bumped on every change: the ETag, and the guard against lost updates.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    lawyers: Mapped[list[ActivityLawyer]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ActivityLawyer.position"
    )

    @property
    def lawyer_ids(self) -> list[uuid.UUID]:
        return [link.lawyer_id for link in self.lawyers]


class ActivityLawyer(Base):
    """The lawyers an activity is credited to: a table so that "a lawyer's activities of a
    year" (the archive, the evaluation) is an indexed join on both databases."""

    __tablename__ = "activity_lawyers"
    __table_args__ = (Index("ix_activity_lawyers_lawyer", "lawyer_id", "activity_id"),)

    activity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    lawyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lawyers.id"), primary_key=True)
    # The order the recorder listed them in, kept for display.
    position: Mapped[int] = mapped_column(Integer, default=0)
