"""Typical-case selections in and out (SPEC 2.13)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from app.domain.common.schema import InputModel, OutputModel
from app.states.codes import SelectionStatus, TypicalDecision


class TypicalSelectionIn(InputModel):
    title: str = Field(min_length=1, max_length=200, examples=["2026年度行政争议化解典型案例"])
    year: int = Field(ge=2022, le=2100, examples=[2026])
    nominations_from: date = Field(description="First day of the nomination window")
    nominations_to: date = Field(description="Last day of the window (Asia/Shanghai)")


class TypicalSelectionOut(OutputModel):
    id: uuid.UUID
    title: str
    year: int
    nominations_from: date
    nominations_to: date
    status: SelectionStatus
    created_by: str
    created_at: datetime
    published_at: datetime | None
    published_by: str | None


class TypicalDecisionIn(InputModel):
    case_id: uuid.UUID
    decision: TypicalDecision
    note: str | None = Field(None, max_length=2000)


class TypicalNominationOut(OutputModel):
    """A nominated case as the selection sees it: what would be published, and the decision."""

    case_id: uuid.UUID
    case_no: str
    business_system: str | None
    act_type: str
    outcome_type: str
    nominated_at: datetime
    reason: str | None
    title: str
    summary: str
    decision: TypicalDecision | None
    note: str | None
    decided_by: str | None
    decided_at: datetime | None


class TypicalCaseOut(OutputModel):
    """A published typical case: never the applicants, never the case number."""

    id: uuid.UUID = Field(description="The selection's decision on the case")
    selection_id: uuid.UUID
    selection_title: str
    year: int
    title: str
    business_system: str | None
    act_type: str
    outcome_type: str
    summary: str
