"""The statistics' rollups on PostgreSQL (SPEC 2.15; docs/performance.md, "Statistics at a
million cases").

Triggers on ``cases`` and ``assignments`` (migration ``case_stat_rollups``) append a signed
copy of a case's or an offer's counted facts to ``case_stat_deltas`` in the writing
transaction: minus the old facts, plus the new. Nothing is locked, so parallel writers never
wait for each other here. The compactor (``app/domain/statistics/rollups.py``) folds the
deltas into ``case_stat_cells`` in the background; a report reads the cells and the deltas
not folded yet in one statement, so it is exact at its snapshot whether or not the compactor
has run. The expansion of a delta into cells is the SQL function ``adr_case_stat_cells``,
defined once in the migration.

A cell is one count at one *grain*: a bit set of the dimensions it keeps (1 respondent, 2
intake agency, 4 business system, 8 channel); a dimension it does not keep holds
``ALL_AGENCIES`` or ``ALL``. Every fact is counted at every grain, so a report reads the
coarsest grain that has what it needs. SQLite keeps the tables empty: the embedded
database answers from the cases directly.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import GUID, UTCDateTime

ALL_AGENCIES = uuid.UUID(int=0)
ALL = "*"
UNCLASSIFIED = ""


class CaseStatDelta(Base):
    """A signed copy of what a case (kind ``case``) or an offer (``offer``) counts for."""

    __tablename__ = "case_stat_deltas"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    sign: Mapped[int] = mapped_column(SmallInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    respondent_agency_id: Mapped[uuid.UUID] = mapped_column(GUID)
    intake_agency_id: Mapped[uuid.UUID] = mapped_column(GUID)
    business_system: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_type: Mapped[str | None] = mapped_column(String(40))
    dispatched: Mapped[bool | None] = mapped_column(Boolean)
    collective: Mapped[bool | None] = mapped_column(Boolean)
    reconsideration_due_on: Mapped[date | None] = mapped_column(Date)
    litigation_due_on: Mapped[date | None] = mapped_column(Date)
    outer_limit_due_on: Mapped[date | None] = mapped_column(Date)
    satisfaction_score: Mapped[int | None] = mapped_column(SmallInteger)
    performance_status: Mapped[str | None] = mapped_column(String(20))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_class: Mapped[str | None] = mapped_column(String(20))


class CaseStatCell(Base):
    """A count of one measure (``received`` by channel, ``closed`` by outcome, ``days`` to
    close, ...) in one Asia/Shanghai month, at one grain."""

    __tablename__ = "case_stat_cells"
    __table_args__ = (
        # The finest grain is read narrowed by a filter or an officer's agency.
        Index("ix_case_stat_cells_respondent", "grain", "respondent_agency_id", "month"),
        Index("ix_case_stat_cells_intake", "grain", "intake_agency_id", "month"),
        Index("ix_case_stat_cells_business_system", "grain", "business_system", "month"),
    )

    # The primary key's order serves the reports: a grain, the measures, a range of months.
    grain: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    measure: Mapped[str] = mapped_column(String(24), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    respondent_agency_id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    intake_agency_id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    business_system: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
