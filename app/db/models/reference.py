"""Reference data: business systems (业务系统) and agencies (单位)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, UTCDateTime, code_column_type, new_id


class BusinessSystem(Base):
    __tablename__ = "business_systems"

    code: Mapped[str] = mapped_column(code_column_type(), primary_key=True)
    label_zh: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    # Stable slug of seeded agencies, so that ``adr seed`` can run again without duplicates.
    seed_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(code_column_type())
    level: Mapped[str] = mapped_column(code_column_type())
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    business_system: Mapped[str] = mapped_column(ForeignKey("business_systems.code"), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
