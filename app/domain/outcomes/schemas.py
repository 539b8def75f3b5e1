"""Outcomes (结果记录, SPEC 2.8) and what follows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from app.domain.common.schema import InputModel, OutputModel
from app.states.codes import RESOLVED_OUTCOMES, OutcomeType, PerformanceStatus

AGREEMENT_TYPES = frozenset({OutcomeType.RECONCILED, OutcomeType.MEDIATED})
REFERRAL_TYPES = frozenset(
    {
        OutcomeType.REFERRED_RECONSIDERATION,
        OutcomeType.REFERRED_LITIGATION,
        OutcomeType.REFERRED_ADJUDICATION,
    }
)


class AgreementIn(InputModel):
    document_no: str = Field(min_length=1, max_length=100, examples=["聊和解字〔2026〕15号"])
    performance_due_on: date | None = None


class ReferralIn(InputModel):
    authority: str = Field(min_length=1, max_length=200, examples=["聊城市人民政府行政复议办公室"])
    note: str | None = Field(None, max_length=2000)


class SessionIn(InputModel):
    held_on: date
    location: str | None = Field(None, max_length=200)
    minutes: str | None = Field(None, max_length=20_000)


class HoursIn(InputModel):
    lawyer_id: uuid.UUID
    hours: float = Field(gt=0, le=1000)


class OutcomeIn(InputModel):
    type: OutcomeType
    concluded_on: date
    summary: str = Field(min_length=1, max_length=5000)
    agreement: AgreementIn | None = None
    referral: ReferralIn | None = None
    sessions: list[SessionIn] = Field(default_factory=list, max_length=100)
    hours: list[HoursIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _required_parts(self) -> Self:
        if self.type is OutcomeType.NOT_ADMINISTRATIVE_DISPUTE:
            raise PydanticCustomError(
                "set_by_classification",
                "not_administrative_dispute is recorded through the classification",
            )
        if self.type in AGREEMENT_TYPES and self.agreement is None:
            raise PydanticCustomError(
                "agreement_required", "a reconciliation or mediation needs its agreement"
            )
        if self.type in REFERRAL_TYPES and self.referral is None:
            raise PydanticCustomError(
                "referral_required", "say where the applicant was guided (referral)"
            )
        return self


class PerformanceIn(InputModel):
    status: PerformanceStatus
    note: str | None = Field(None, max_length=2000)


class SatisfactionIn(InputModel):
    score: int = Field(ge=1, le=5)
    note: str | None = Field(None, max_length=2000)


class TypicalNominationIn(InputModel):
    reason: str | None = Field(None, max_length=2000, description="Why the case is typical")
    summary: str = Field(
        min_length=10,
        max_length=5000,
        description="The de-identified account to be published: no applicant's name, "
        "identity number or phone number, nor anything shaped like one (422 "
        "`summary_not_deidentified`)",
    )
    title: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The title to publish; default: the case's title (checked the same way)",
    )


class ReopenIn(InputModel):
    reason: str = Field(min_length=2, max_length=2000)


class OutcomeOut(OutputModel):
    id: uuid.UUID
    type: OutcomeType
    resolved: bool = Field(
        description="化解成功: reconciled, mediated, corrected, explained, withdrawn"
    )
    concluded_on: date
    summary: str
    agreement: dict[str, Any] | None
    referral: dict[str, Any] | None
    sessions: list[dict[str, Any]]
    hours: list[dict[str, Any]]
    recorded_at: datetime
    recorded_by: str
    performance_status: PerformanceStatus | None
    satisfaction_score: int | None
    typical_nominated_at: datetime | None
    reopened_at: datetime | None
    reopen_reason: str | None


def outcome_view(outcome: Any) -> OutcomeOut:
    """The response shape of a recorded outcome (``resolved`` derived from its type)."""
    fields = {
        name: getattr(outcome, name) for name in OutcomeOut.model_fields if name != "resolved"
    }
    return OutcomeOut.model_validate(
        {**fields, "resolved": OutcomeType(outcome.type) in RESOLVED_OUTCOMES}
    )
