"""Evaluation rounds and honours in and out (SPEC 2.14)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.domain.common.schema import InputModel, OutputModel
from app.states.codes import EvaluationStatus, HonourKind


class EvaluationIn(InputModel):
    year: int = Field(ge=2022, le=2100, examples=[2026])
    organizer_region_code: str = Field(
        pattern=r"^[0-9]{6}$",
        description="The organizer's division: 371500 (the city government, every agency) or "
        "a county-level division (its agencies)",
        examples=["371500"],
    )
    title: str = Field(
        min_length=1, max_length=200, examples=["2026年度公职律师参与行政纠纷化解工作先进评选"]
    )


class EvaluationOut(OutputModel):
    id: uuid.UUID
    year: int
    organizer_region_code: str
    title: str
    status: EvaluationStatus
    created_by: str
    created_at: datetime
    closed_by: str | None
    closed_at: datetime | None


class HonourIn(InputModel):
    kind: HonourKind
    lawyer_id: uuid.UUID | None = Field(None, description="For `advanced_individual`")
    agency_id: uuid.UUID | None = Field(None, description="For `advanced_unit`")
    note: str | None = Field(None, max_length=2000)


class HonourOut(OutputModel):
    id: uuid.UUID
    evaluation_id: uuid.UUID
    kind: HonourKind
    year: int
    lawyer_id: uuid.UUID | None
    agency_id: uuid.UUID = Field(description="The unit honoured, or the lawyer's agency then")
    note: str | None
    awarded_by: str
    awarded_at: datetime


class EvaluationCandidate(OutputModel):
    rank: int
    lawyer_id: uuid.UUID | None = Field(description="For individuals")
    agency_id: uuid.UUID = Field(description="The unit, or the lawyer's agency")
    name: str
    score: float
    figures: dict[str, float | int | None] = Field(description="The year's records")
    contributions: dict[str, float] = Field(description="What each figure added (× weight)")


class EvaluationCandidatesOut(OutputModel):
    evaluation_id: uuid.UUID
    kind: str
    year: int
    organizer_region_code: str
    weights: dict[str, float]
    formula: str
    candidates: list[EvaluationCandidate]
