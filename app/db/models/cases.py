"""Cases (行政争议案件), their applicants, timeline, classifications and numbering."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.clock import now_utc
from app.db.base import Base
from app.db.types import GUID, Code, JSONType, UTCDateTime, code_column_type, new_id
from app.states.codes import CaseStatus

# The columns the statistics read with each index (PostgreSQL INCLUDE; SQLite has no
# covering indexes and reads the table).
STATS_RECEIVED_INCLUDE = (
    "channel",
    "respondent_agency_id",
    "intake_agency_id",
    "business_system",
    "outcome_type",
    "closed_at",
    "collective",
    "first_offered_at",
    "reconsideration_due_on",
    "litigation_due_on",
    "outer_limit_due_on",
)
STATS_CLOSED_INCLUDE = (
    "received_at",
    "channel",
    "respondent_agency_id",
    "intake_agency_id",
    "business_system",
    "outcome_type",
    "satisfaction_score",
    "performance_status",
)
OPEN_DEADLINES_INCLUDE = (
    "respondent_agency_id",
    "intake_agency_id",
    "business_system",
    "channel",
    "reconsideration_due_on",
    "litigation_due_on",
    "outer_limit_due_on",
)


class CaseCounter(Base):
    """One row per Asia/Shanghai year: the last case number handed out. A row, not a
    sequence, because numbers must be gapless: a rolled-back intake rolls its number back."""

    __tablename__ = "case_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_no: Mapped[int] = mapped_column(Integer)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("external_system", "external_id"),
        Index("ix_cases_status_id", "status", "id"),
        # The filtered list (respondent, status) newest first reads this index backwards
        # and stops after a page, instead of sorting every matching case.
        Index("ix_cases_respondent_status_id", "respondent_agency_id", "status", "id"),
        Index("ix_cases_reconsideration_due_on", "reconsideration_due_on"),
        Index("ix_cases_litigation_due_on", "litigation_due_on"),
        Index("ix_cases_outer_limit_due_on", "outer_limit_due_on"),
        # Statistics (app/domain/statistics): the year's received and closed cases are read
        # from these two indexes alone (index-only scans on PostgreSQL), never from the
        # table; the received one also serves the list's received_from/received_to.
        Index(
            "ix_cases_stats_received",
            "received_at",
            postgresql_include=list(STATS_RECEIVED_INCLUDE),
        ),
        Index("ix_cases_stats_closed", "closed_at", postgresql_include=list(STATS_CLOSED_INCLUDE)),
        # The one figure the rollups cannot hold, since it moves with the date: deadlines
        # passing while a case is open (app/db/repositories/statistics_rollups.py).
        Index(
            "ix_cases_open_deadlines",
            "received_at",
            postgresql_include=list(OPEN_DEADLINES_INCLUDE),
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    case_no: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[CaseStatus] = mapped_column(Code(CaseStatus, 30))
    # Bumped on every change: the ETag, and the guard against lost updates.
    version: Mapped[int] = mapped_column(Integer, default=1)

    channel: Mapped[str] = mapped_column(code_column_type())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    intake_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    respondent_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    title: Mapped[str] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text)
    claims: Mapped[str] = mapped_column(Text)

    act_type: Mapped[str] = mapped_column(code_column_type())
    act_document_no: Mapped[str | None] = mapped_column(String(100))
    act_made_on: Mapped[date | None] = mapped_column(Date)
    act_known_on: Mapped[date | None] = mapped_column(Date)
    act_description: Mapped[str | None] = mapped_column(Text)
    act_real_property: Mapped[bool] = mapped_column(Boolean, default=False)
    # The facts the remedy deadlines of the other paths are counted from (SPEC 2.5).
    # ``act_real_property`` and ``act_reconsideration_first`` hold the value in effect (the
    # given one or its default by act type); ``act_refused`` what was given.
    act_remedy_notice_given: Mapped[bool] = mapped_column(Boolean, default=True)
    act_applied_on: Mapped[date | None] = mapped_column(Date)
    act_performance_due_on: Mapped[date | None] = mapped_column(Date)
    act_refused: Mapped[bool | None] = mapped_column(Boolean)
    act_reconsideration_first: Mapped[bool] = mapped_column(Boolean, default=False)

    external_system: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(100))
    related_procedures: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)

    applicant_count: Mapped[int] = mapped_column(Integer)
    collective: Mapped[bool] = mapped_column(Boolean)
    # The remedy deadlines' last days, derived from the act's dates whenever they change.
    # The full figures (days_left, basis) are computed when read, from today; these columns
    # serve the ``deadline_warning`` filter.
    reconsideration_due_on: Mapped[date | None] = mapped_column(Date)
    litigation_due_on: Mapped[date | None] = mapped_column(Date)
    outer_limit_due_on: Mapped[date | None] = mapped_column(Date)
    # When the case.deadline_warning event was written (SPEC 2.16: once when the case enters
    # the warning window); cleared when its due dates are computed anew.
    deadline_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadlines_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadlines_notified_how: Mapped[str | None] = mapped_column(code_column_type(20))

    # Current classification (history in case_classifications).
    business_system: Mapped[str | None] = mapped_column(code_column_type(), index=True)
    priority: Mapped[str] = mapped_column(code_column_type(10), default="normal")
    recommended_channel: Mapped[str | None] = mapped_column(code_column_type(20))
    chosen_channel: Mapped[str | None] = mapped_column(code_column_type(20))

    outcome_type: Mapped[str | None] = mapped_column(code_column_type())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Copies kept on the case for the statistics (one row a case, read from one index): the
    # first presiding offer, and the current outcome's satisfaction and performance (cleared
    # on reopening, as the outcome itself stops being current).
    first_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction_score: Mapped[int | None] = mapped_column(Integer)
    performance_status: Mapped[str | None] = mapped_column(code_column_type(20))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    applicants: Mapped[list[CaseApplicant]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="CaseApplicant.position"
    )
    # Not a column: whether a live offer on the case is past its answer time, read along
    # with the case's lock when asked (``cases.get(..., overdue_at=...)``), so that a
    # dispatch asks for those offers only when there are some. None when not asked.
    offers_overdue: Mapped[bool | None] = query_expression()


# Text search (the list's ``q``, PostgreSQL): every pair of adjacent characters of the title,
# facts and claims, lower-cased, without pairs that hold whitespace or punctuation, as an
# array indexed by GIN. A rare term's own pairs must all be there (``@>``), which narrows
# the search to a few candidates that the exact ILIKE then checks (case_search.py); pairs,
# not pg_trgm's trigrams, because the commonest Chinese search words have two characters
# and give no trigram. The function ``adr_bigrams`` comes with a migration (see
# docs/performance.md).
#
# The pairs live in a table of their own, not in an index on ``cases``: the case row is
# written by the intake's numbering statement while the year's counter row is locked, and
# indexing hundreds of pairs there made every other intake wait for it (issue 16). The
# intake writes its case's pairs in a statement before (so the foreign key is checked at
# the commit); a trigger fills them for cases inserted any other way and refreshes them
# when a title, facts or claims change. SQLite has the table, empty: it searches with LIKE.
class CaseSearchPairs(Base):
    __tablename__ = "case_search_pairs"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"),
        primary_key=True,
    )
    pairs: Mapped[list[str]] = mapped_column(JSON().with_variant(ARRAY(Text), "postgresql"))


# On SQLite too, so that both databases have one schema (there it indexes an empty table).
Index("ix_case_search_pairs", CaseSearchPairs.pairs, postgresql_using="gin")


class CaseApplicant(Base):
    __tablename__ = "case_applicants"
    __table_args__ = (Index("ix_case_applicants_id_hash", "id_number_hash"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(code_column_type(20))
    name: Mapped[str] = mapped_column(String(200))
    id_type: Mapped[str] = mapped_column(code_column_type(20))
    # Personal data (SPEC 4.3): sealed, masked for display, and a keyed hash for matching.
    id_number_sealed: Mapped[str] = mapped_column(String(200))
    id_number_masked: Mapped[str] = mapped_column(String(40))
    id_number_hash: Mapped[str] = mapped_column(String(64))
    phone_sealed: Mapped[str | None] = mapped_column(String(200))
    phone_masked: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(300))


class CaseEvent(Base):
    """The case's timeline: every change of state, classification, assignment, outcome."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_occurred", "case_id", "occurred_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    type: Mapped[str] = mapped_column(String(60))
    from_status: Mapped[CaseStatus | None] = mapped_column(Code(CaseStatus, 30))
    to_status: Mapped[CaseStatus | None] = mapped_column(Code(CaseStatus, 30))
    actor_sub: Mapped[str | None] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(code_column_type())
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class CaseClassification(Base):
    """Every classification recorded (Art. 5 conditions, Art. 8 guidance); the newest is
    the case's current one."""

    __tablename__ = "case_classifications"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONType)
    all_met: Mapped[bool] = mapped_column(Boolean)
    business_system: Mapped[str] = mapped_column(ForeignKey("business_systems.code"))
    act_type: Mapped[str] = mapped_column(code_column_type())
    priority: Mapped[str] = mapped_column(code_column_type(10))
    recommended_channel: Mapped[str] = mapped_column(code_column_type(20))
    channels_explained: Mapped[list[str]] = mapped_column(JSONType, default=list)
    chosen_channel: Mapped[str | None] = mapped_column(code_column_type(20))
    referral_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by: Mapped[str] = mapped_column(String(200))


class IdempotencyKey(Base):
    """A create-style request's key, stored in the same transaction as the write it guards,
    with the response to replay. The key belongs to one caller."""

    __tablename__ = "idempotency_keys"

    caller: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    # Headers to send again on a replay (Location, ETag).
    response_headers: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CaseOutcome(Base):
    """The recorded result of a case (SPEC 2.8) and what followed it. A reopened case keeps
    its earlier outcomes; the newest is the current one."""

    __tablename__ = "case_outcomes"
    __table_args__ = (
        # Earlier closures of reopened cases: "open at the end of the period" subtracts them.
        Index(
            "ix_case_outcomes_reopened",
            "case_id",
            postgresql_where=text("reopened_at IS NOT NULL"),
            sqlite_where=text("reopened_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(code_column_type())
    concluded_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    agreement: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    referral: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    sessions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    hours: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    recorded_by: Mapped[str] = mapped_column(String(200))
    performance_status: Mapped[str | None] = mapped_column(code_column_type(20))
    performance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction_score: Mapped[int | None] = mapped_column(Integer)
    satisfaction_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    typical_nominated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    typical_nominated_by: Mapped[str | None] = mapped_column(String(200))
    typical_reason: Mapped[str | None] = mapped_column(Text)
    # What would be published (SPEC 2.13): checked to name no applicant when nominated.
    typical_title: Mapped[str | None] = mapped_column(String(200))
    typical_summary: Mapped[str | None] = mapped_column(Text)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str | None] = mapped_column(Text)
