"""Annual evaluation rounds and the honours they award (评选表彰, SPEC 2.14; Art. 19)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, Code, UTCDateTime, new_id
from app.states.codes import EvaluationStatus, HonourKind


class Evaluation(Base):
    __tablename__ = "evaluations"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    year: Mapped[int] = mapped_column(Integer)
    # The organizer's division: the city (371500) covers every agency, a county its own.
    organizer_region_code: Mapped[str] = mapped_column(String(6))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[EvaluationStatus] = mapped_column(Code(EvaluationStatus, 20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Honour(Base):
    __tablename__ = "honours"
    __table_args__ = (
        # One honour of a kind per person or unit and round.
        UniqueConstraint("evaluation_id", "kind", "subject_id"),
        CheckConstraint(
            f"(kind = '{HonourKind.ADVANCED_INDIVIDUAL.value}' AND lawyer_id IS NOT NULL)"
            f" OR (kind = '{HonourKind.ADVANCED_UNIT.value}' AND lawyer_id IS NULL)",
            "subject",
        ),
        Index("ix_honours_lawyer_kind", "lawyer_id", "kind", "year"),
        Index("ix_honours_agency_year", "agency_id", "year"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    evaluation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluations.id"))
    kind: Mapped[HonourKind] = mapped_column(Code(HonourKind, 30))
    year: Mapped[int] = mapped_column(Integer)
    # The lawyer honoured (individual), and the agency: the unit honoured, or the lawyer's
    # agency when the honour was awarded.
    lawyer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lawyers.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    # The lawyer for an individual, the agency for a unit: what the uniqueness is about.
    subject_id: Mapped[uuid.UUID] = mapped_column(GUID)
    note: Mapped[str | None] = mapped_column(String(2000))
    awarded_by: Mapped[str] = mapped_column(String(200))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
