"""Public lawyers (公职律师, Art. 2–4) and their leave periods."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, Code, UTCDateTime, new_id
from app.states.codes import CertificateStatus


class Lawyer(Base):
    __tablename__ = "lawyers"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)
    certificate_issued_on: Mapped[date] = mapped_column(Date)
    certificate_status: Mapped[CertificateStatus] = mapped_column(
        Code(CertificateStatus, 20), index=True
    )
    certificate_status_reason: Mapped[str | None] = mapped_column(String(500))
    certificate_status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Personal data: sealed (see app.domain.common.crypto); the masked form is kept for
    # lists so that reading a page never has to open anything.
    phone_sealed: Mapped[str | None] = mapped_column(String(200))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Open assignments (offered, conflict_reported, accepted, on cases not closed) as of the
    # last fold; the count now adds the lawyer's LawyerOpenChange rows not folded in yet.
    # Kept by database triggers (migration a3d5f7b9c1e2), read by dispatch; never set here.
    open_assignments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The latest offer made to them (dispatch ranks by how long since): kept by a database
    # trigger on assignments (migration c6e8a0b2d4f6), read by dispatch; never set here.
    last_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    specialties: Mapped[list[LawyerSpecialty]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="LawyerSpecialty.business_system"
    )


class LawyerOpenChange(Base):
    """+1 or -1 to a lawyer's open assignments, appended by the database's triggers in the
    transaction that opened or closed an assignment (or closed or reopened its case), and
    folded into ``Lawyer.open_assignments`` by the next dispatch that holds the lawyer's
    lock. Appending takes no lock, so answering an offer or closing a case never waits on a
    lawyer's row (the service's lock order is case, lawyer, assignment). No foreign key for
    the same reason: its check would take a share lock on the lawyer's row."""

    __tablename__ = "lawyer_open_changes"
    __table_args__ = (
        Index("ix_lawyer_open_changes_lawyer_id", "lawyer_id", postgresql_include=["delta"]),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    lawyer_id: Mapped[uuid.UUID] = mapped_column(GUID)
    delta: Mapped[int] = mapped_column(SmallInteger)


class LawyerSpecialty(Base):
    """One row per business system a lawyer is versed in: a table, not a JSON list, so that
    "lawyers of specialty X" is an indexed join on both databases."""

    __tablename__ = "lawyer_specialties"

    lawyer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lawyers.id", ondelete="CASCADE"), primary_key=True
    )
    business_system: Mapped[str] = mapped_column(
        ForeignKey("business_systems.code"), primary_key=True, index=True
    )


class LawyerUnavailability(Base):
    __tablename__ = "lawyer_unavailability"
    __table_args__ = (
        CheckConstraint("to_date >= from_date", "period"),
        Index("ix_lawyer_unavailability_lawyer_period", "lawyer_id", "from_date", "to_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    lawyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[str] = mapped_column(String(200))
