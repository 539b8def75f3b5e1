"""Classification (争议识别, Art. 5 and 8), in and out."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.domain.common.schema import InputModel, OutputModel
from app.states.codes import ActType, Priority, ResolutionChannel

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class ConditionIn(InputModel):
    met: bool
    note: str | None = Field(None, max_length=1000)


class ConditionsIn(InputModel):
    """The four conditions of Art. 5."""

    organ_party: ConditionIn = Field(description="(一) one party is an administrative organ")
    arises_from_administration: ConditionIn = Field(
        description="(二) it arises from an act of administration"
    )
    legal_rights_obligations: ConditionIn = Field(
        description="(三) the act creates rights and obligations under administrative law"
    )
    counterparty_disputes: ConditionIn = Field(
        description="(四) the counterparty disputes its legality or propriety"
    )

    def all_met(self) -> bool:
        return all(
            c.met
            for c in (
                self.organ_party,
                self.arises_from_administration,
                self.legal_rights_obligations,
                self.counterparty_disputes,
            )
        )


class ClassificationIn(InputModel):
    conditions: ConditionsIn
    business_system: Code = Field(examples=["natural_resources"])
    act_type: ActType
    priority: Priority = Priority.NORMAL
    recommended_channel: ResolutionChannel
    channels_explained: list[ResolutionChannel] = Field(default_factory=list, max_length=5)
    chosen_channel: ResolutionChannel | None = None
    referral_note: str | None = Field(
        None,
        max_length=2000,
        description="Required when a condition is not met",
        validate_default=True,
    )

    @field_validator("referral_note")
    @classmethod
    def _referral_when_out_of_scope(cls, value: str | None, info: ValidationInfo) -> str | None:
        conditions = info.data.get("conditions")
        if conditions is not None and not conditions.all_met() and not (value or "").strip():
            raise PydanticCustomError(
                "referral_note_required",
                "say where the applicant was guided when the dispute is not administrative",
            )
        return value


class EvidenceOut(OutputModel):
    field: str
    keyword: str
    weight: float
    count: int
    role: Literal["act", "context", "acting_organ"] = Field(
        "act",
        description="act: a word about the act; context: an organ or institution only "
        "mentioned (weighs less); acting_organ: an organ the text names as the act's author",
    )


class CandidateOut(OutputModel):
    code: str
    score: float = Field(description="0..1")
    text_score: float
    prior: float
    evidence: list[EvidenceOut]
    model_score: float | None = Field(
        None, description="the statistical model's probability; null when method is lexicon"
    )


class RespondentEvidenceOut(OutputModel):
    """What the respondent agency's business system did to the ranking, and why."""

    business_system: str | None
    applied: bool = Field(description="ranked first as a strong prior")
    overridden_by: str | None = Field(
        description="the system the text named as the act's author, when it overrode the prior"
    )
    reason: str
    evidence: list[EvidenceOut]


class ConditionJudgementOut(OutputModel):
    code: str
    met: bool | None = Field(description="null when the data cannot tell")
    note: str


class PrioritySuggestionOut(OutputModel):
    code: Priority
    collective: bool
    reasons: list[str]
    urgent_evidence: list[EvidenceOut]
    high_evidence: list[EvidenceOut]


class ChannelSuggestionOut(OutputModel):
    code: ResolutionChannel
    reason: str
    alternatives: list[ResolutionChannel]
    evidence: list[EvidenceOut]


class SuggestionOut(OutputModel):
    """A proposal only: nothing is changed until a classification is recorded."""

    case_id: uuid.UUID
    lexicon_version: str
    business_systems: list[CandidateOut]
    act_types: list[CandidateOut]
    conditions: list[ConditionJudgementOut]
    priority: PrioritySuggestionOut
    recommended_channel: ChannelSuggestionOut
    respondent: RespondentEvidenceOut
    method: Literal["lexicon", "lexicon+model"] = Field(
        description="lexicon: keyword lexicon only; lexicon+model: with the statistical model"
    )
