"""The working-day calendar (SPEC 2.5): one row per calendar year whose State Council notice
is known (public holidays and make-up working weekends, 调休)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.db.base import Base
from app.db.types import JSONType, UTCDateTime


class CalendarYear(Base):
    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # ISO dates, sorted, all inside ``year``.
    holidays: Mapped[list[str]] = mapped_column(JSONType)
    working_weekends: Mapped[list[str]] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(String(500))
    # A new random value on every write: processes compare the set of (year, revision) with
    # what they cached. Random, not a counter, so that a write rolled back and another one
    # made after it can never look like the same revision.
    revision: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_by: Mapped[str] = mapped_column(String(200))
