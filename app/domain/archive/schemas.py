"""A public lawyer's work archive for a year (工作档案, SPEC 2.12; Art. 15)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from app.domain.activities.schemas import ActivityOut
from app.domain.common.schema import OutputModel
from app.states.codes import AssignmentStatus, DispatchRole, MembershipStatus


class ArchiveLawyer(OutputModel):
    id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    agency_name: str


class ArchiveMembership(OutputModel):
    id: uuid.UUID
    year: int
    status: MembershipStatus
    decided_at: datetime | None


class ArchiveOfferFigures(OutputModel):
    received: int
    accepted: int
    declined_by_reason: dict[str, int]
    expired: int
    withdrawn_before_answer: int
    awaiting_answer: int
    conflicts_reported: int
    conflict_rulings: dict[str, int] = Field(description="release, keep, or awaiting")


class ArchiveCaseFigures(OutputModel):
    presided: int
    participated: int
    outcomes_by_type: dict[str, int]
    resolved: int
    sessions: int
    hours: float = Field(description="Hours the outcomes record for this lawyer")
    satisfaction_average: float | None = Field(description="On the cases they presided")
    agreements_fulfilled: int
    agreements_breached: int
    typical_nominated: int
    typical_selected: int


class ArchiveKindFigures(OutputModel):
    count: int
    quantity: int
    participants: int
    hours: float


class ArchiveActivityFigures(OutputModel):
    count: int
    by_kind: dict[str, ArchiveKindFigures]
    training_hours: float


class ArchiveHonourFigures(OutputModel):
    in_year: int
    all_time: int


class ArchiveCase(OutputModel):
    """One offer of the year and what became of its case."""

    assignment_id: uuid.UUID
    case_id: uuid.UUID
    case_no: str
    role: DispatchRole
    offered_at: datetime
    status: AssignmentStatus
    accepted: bool
    decline_reason: str | None
    conflict_decision: str | None
    outcome_type: str | None
    concluded_on: date | None
    resolved: bool
    sessions: int
    hours: float
    satisfaction_score: int | None
    performance_status: str | None
    typical_nominated: bool


class ArchiveOut(OutputModel):
    lawyer: ArchiveLawyer
    year: int
    period_from: date
    period_to: date
    time_zone: Literal["Asia/Shanghai"] = "Asia/Shanghai"
    pool: list[ArchiveMembership]
    offers: ArchiveOfferFigures
    cases: ArchiveCaseFigures
    activities: ArchiveActivityFigures
    honours: ArchiveHonourFigures
    case_list: list[ArchiveCase]
    activity_list: list[ActivityOut]
    notes: list[str]
    definitions: dict[str, str]
