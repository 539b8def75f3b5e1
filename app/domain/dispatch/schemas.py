"""Dispatch and assignments, in and out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from app.domain.common.schema import InputModel, OutputModel
from app.states.codes import (
    AssignmentStatus,
    ConflictDecision,
    DeclineReason,
    DispatchRole,
    ExclusionReason,
)


class RankedCandidate(OutputModel):
    rank: int
    lawyer_id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    region_code: str
    open_assignments: int
    last_offered_at: datetime | None
    same_county: bool


class ExcludedCandidate(OutputModel):
    lawyer_id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    reasons: list[ExclusionReason]
    overridable: bool = Field(description="A coordinator may override with a reason")


class CandidatesOut(OutputModel):
    case_id: uuid.UUID
    role: DispatchRole
    max_open_assignments: int
    ranking: list[str] = Field(
        description="The order of the ranking keys",
        default=[
            "fewest open assignments",
            "longest since last offer (never offered first)",
            "same county as the respondent",
            "lawyer id",
        ],
    )
    eligible: list[RankedCandidate]
    excluded: list[ExcludedCandidate]


class DispatchIn(InputModel):
    role: DispatchRole
    lawyer_id: uuid.UUID | None = Field(None, description="Default: the top-ranked lawyer")
    reason: str | None = Field(
        None, max_length=1000, description="A coordinator's override of an overridable exclusion"
    )


class AssignmentOut(OutputModel):
    id: uuid.UUID
    case_id: uuid.UUID
    lawyer_id: uuid.UUID
    role: DispatchRole
    status: AssignmentStatus
    offered_at: datetime
    respond_by: datetime
    responded_at: datetime | None
    decline_reason: DeclineReason | None
    decline_note: str | None
    conflict_decision: ConflictDecision | None
    conflict_decision_note: str | None
    decided_by: str | None = Field(
        validation_alias="conflict_decided_by_head",
        description="The agency head who ruled on the work conflict (Art. 9)",
    )
    withdraw_reason: str | None
    needs_reassignment: bool = Field(
        description="Accepted work of a lawyer no longer in active service: the center reassigns it"
    )
    override_reason: str | None
    reasoning: dict[str, Any] = Field(description="Why this lawyer: the figures behind the rank")
    ended_at: datetime | None
    offered_by: str


class DeclineIn(InputModel):
    reason: DeclineReason
    note: str | None = Field(None, max_length=1000)

    @model_validator(mode="after")
    def _note_for_other(self) -> Self:
        if self.reason is DeclineReason.OTHER and not (self.note or "").strip():
            raise PydanticCustomError("note_required", "say why when the reason is `other`")
        return self


class ConflictDecisionIn(InputModel):
    decision: ConflictDecision
    decided_by: str = Field(
        min_length=1,
        max_length=100,
        description="The agency head who decided (本单位行政机关负责人, Art. 9)",
        examples=["李局长"],
    )
    note: str | None = Field(None, max_length=1000)


class WithdrawOfferIn(InputModel):
    reason: str = Field(min_length=1, max_length=1000, examples=["申请人要求更换调解员"])
