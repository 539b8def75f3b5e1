"""Intake and case schemas (SPEC 2.5)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AwareDatetime,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.domain.common.identifiers import (
    InvalidIdentifier,
    normalize_credit_code,
    normalize_resident_id,
)
from app.domain.common.schema import InputModel, OutputModel, Phone, not_nullable
from app.domain.outcomes.schemas import OutcomeOut
from app.states.codes import (
    ActType,
    ApplicantKind,
    CaseStatus,
    DeadlineNoticeMethod,
    IdType,
    IntakeChannel,
    OutcomeType,
    Priority,
    RelatedProcedureKind,
    ResolutionChannel,
)

_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
Text200 = Annotated[str, Field(min_length=1, max_length=200)]


def normalize_id_number(id_type: IdType, value: str) -> str:
    """The identity number in its canonical form, or InvalidIdentifier."""
    if id_type is IdType.RESIDENT_ID:
        return normalize_resident_id(value)
    if id_type is IdType.CREDIT_CODE:
        return normalize_credit_code(value)
    value = value.strip().upper() if id_type is IdType.PASSPORT else value.strip()
    if id_type is IdType.PASSPORT and not _PASSPORT.match(value):
        raise InvalidIdentifier("invalid_passport", "a passport number is 5–17 letters or digits")
    if not value:
        raise InvalidIdentifier("invalid_length", "the identity number is empty")
    return value


class ApplicantIn(InputModel):
    kind: ApplicantKind
    name: Text200 = Field(examples=["王某某"])
    id_type: IdType
    id_number: str = Field(min_length=1, max_length=40, examples=["371502199001011234"])
    phone: Phone | None = Field(None, examples=["13800000000"])
    address: str | None = Field(None, max_length=300, examples=["聊城市东昌府区某街道"])

    @field_validator("id_number")
    @classmethod
    def _valid_number(cls, value: str, info: ValidationInfo) -> str:
        id_type = info.data.get("id_type")
        if id_type is None:  # the id_type error is reported on its own
            return value
        try:
            return normalize_id_number(IdType(id_type), value)
        except InvalidIdentifier as exc:
            raise PydanticCustomError(exc.code, exc.message) from None


class ActIn(InputModel):
    type: ActType
    document_no: str | None = Field(None, max_length=100, examples=["聊自然资罚字〔2026〕12号"])
    made_on: date | None = None
    known_on: date | None = Field(None, description="When the applicant learned of the act")
    description: str | None = Field(None, max_length=5000)
    real_property: bool | None = Field(
        None,
        description="The act concerns real property (the 20-year outer limit applies); "
        "default: true for expropriation, else false",
    )
    remedy_notice_given: bool = Field(
        True,
        description="Whether the organ told the applicant of the remedies and their periods "
        "when it acted (复议法 art. 20(3), 行诉解释 art. 64)",
    )
    applied_on: date | None = Field(
        None, description="Inaction: the day the organ received the application to act"
    )
    performance_due_on: date | None = Field(
        None, description="Inaction: the end of the organ's time to act, where a law sets one"
    )
    refused: bool | None = Field(
        None, description="Information disclosure: the organ refused to disclose"
    )
    reconsideration_first: bool | None = Field(
        None,
        description="Reconsideration must come before litigation (复议法 art. 23); default: "
        "true for inaction and for a refused information disclosure",
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.made_on and self.known_on and self.known_on < self.made_on:
            raise PydanticCustomError("known_before_made", "known_on cannot be before made_on")
        return self

    # A field validator (not the model's) so that the 422 names ``act.performance_due_on``.
    @field_validator("performance_due_on")
    @classmethod
    def _due_after_application(cls, value: date | None, info: ValidationInfo) -> date | None:
        applied = info.data.get("applied_on")
        if value is not None and applied is not None and value < applied:
            raise PydanticCustomError(
                "due_before_applied", "performance_due_on cannot be before applied_on"
            )
        return value


class ExternalRef(InputModel):
    system: str = Field(
        min_length=1, max_length=40, pattern=r"^[a-z0-9_.-]+$", examples=["xinfang"]
    )
    id: str = Field(min_length=1, max_length=100, examples=["XF-2026-000123"])


class RelatedProcedure(InputModel):
    kind: RelatedProcedureKind
    number: str | None = Field(None, max_length=100)
    authority: str | None = Field(None, max_length=200)
    decided_on: date | None = Field(None, description="The day the decision was made")
    decision_received_on: date | None = Field(
        None,
        description="The day the applicant received the decision (a reconsideration's starts "
        "the 15 days to sue, 行诉法 art. 45)",
    )

    @field_validator("decision_received_on")
    @classmethod
    def _received_after_decided(cls, value: date | None, info: ValidationInfo) -> date | None:
        decided = info.data.get("decided_on")
        if value is not None and decided is not None and value < decided:
            raise PydanticCustomError(
                "received_before_decided", "decision_received_on cannot be before decided_on"
            )
        return value


class CaseIn(InputModel):
    channel: IntakeChannel
    received_at: AwareDatetime | None = Field(None, description="Default: now")
    intake_agency_id: uuid.UUID | None = Field(
        None, description="Default: the agency of an agency officer"
    )
    applicants: list[ApplicantIn] = Field(min_length=1, max_length=200)
    respondent_agency_id: uuid.UUID
    act: ActIn
    title: Text200 = Field(examples=["对房屋征收补偿决定不服"])
    facts: str = Field(min_length=1, max_length=20_000)
    claims: str = Field(min_length=1, max_length=5_000)
    external_ref: ExternalRef | None = None
    related_procedures: list[RelatedProcedure] = Field(default_factory=list, max_length=20)
    deadlines_notified_at: AwareDatetime | None = None


class CasePatch(InputModel):
    """A correction while the case is ``received`` (JSON merge patch: send what changes;
    only ``deadlines_notified_at`` may be null)."""

    channel: IntakeChannel | None = Field(None, json_schema_extra=not_nullable)
    received_at: AwareDatetime | None = Field(None, json_schema_extra=not_nullable)
    applicants: list[ApplicantIn] | None = Field(
        None, min_length=1, max_length=200, json_schema_extra=not_nullable
    )
    respondent_agency_id: uuid.UUID | None = Field(None, json_schema_extra=not_nullable)
    act: ActIn | None = Field(None, json_schema_extra=not_nullable)
    title: Text200 | None = Field(None, json_schema_extra=not_nullable)
    facts: str | None = Field(None, min_length=1, max_length=20_000, json_schema_extra=not_nullable)
    claims: str | None = Field(None, min_length=1, max_length=5_000, json_schema_extra=not_nullable)
    related_procedures: list[RelatedProcedure] | None = Field(
        None, max_length=20, json_schema_extra=not_nullable
    )
    deadlines_notified_at: AwareDatetime | None = None


class ApplicantOut(OutputModel):
    kind: ApplicantKind
    name: str
    id_type: IdType
    id_number: str = Field(description="Masked unless revealed (?reveal=pii)")
    phone: str | None
    address: str | None


class ActOut(OutputModel):
    type: ActType
    document_no: str | None
    made_on: date | None
    known_on: date | None
    description: str | None
    real_property: bool = Field(description="In effect: as given, or its default by act type")
    remedy_notice_given: bool
    applied_on: date | None
    performance_due_on: date | None
    refused: bool | None
    reconsideration_first: bool = Field(
        description="In effect: as given, or its default (复议法 art. 23)"
    )


class DeadlineOut(OutputModel):
    due_on: date = Field(description="The last day the remedy can be used")
    days_left: int = Field(description="Negative once passed: the remedy is lost")
    basis: str = Field(description="The articles the date was counted by")
    provisional: bool = Field(
        description="A year it consulted has no calendar data yet (weekends only)"
    )


class DeadlinesOut(OutputModel):
    reconsideration: DeadlineOut | None
    litigation: DeadlineOut | None = Field(
        description="null when reconsideration must come first (see notes)"
    )
    litigation_outer_limit: DeadlineOut | None
    warning: bool = Field(description="The nearest live remedy is within the warning window")
    calendar_complete: bool = Field(description="No deadline shown is provisional")
    notes: list[str] = Field(description="What the applicant should know about these dates")


class DeadlineNoticeIn(InputModel):
    notified_at: AwareDatetime = Field(
        description="When the applicant was told the deadlines (not in the future)"
    )
    how: DeadlineNoticeMethod

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"notified_at": "2026-12-03T10:00:00+08:00", "how": "in_person"}]
        },
    )


class DuplicateOut(OutputModel):
    id: uuid.UUID
    case_no: str
    status: CaseStatus
    received_at: datetime


class CaseSummary(OutputModel):
    id: uuid.UUID
    case_no: str
    status: CaseStatus
    channel: IntakeChannel
    received_at: datetime
    intake_agency_id: uuid.UUID
    respondent_agency_id: uuid.UUID
    title: str
    applicant_count: int
    collective: bool
    business_system: str | None
    priority: Priority
    outcome_type: OutcomeType | None


class ConditionOut(OutputModel):
    met: bool
    note: str | None = None


class ClassificationOut(OutputModel):
    """One recorded classification: the Art. 5 conditions with their notes, the business
    system and act type, priority, and the Art. 8 guidance (channels explained, the one
    chosen); who recorded it and when."""

    id: uuid.UUID
    case_id: uuid.UUID
    conditions: dict[str, ConditionOut]
    all_met: bool
    business_system: str
    act_type: ActType
    priority: Priority
    recommended_channel: ResolutionChannel
    channels_explained: list[ResolutionChannel]
    chosen_channel: ResolutionChannel | None
    referral_note: str | None
    created_at: datetime
    created_by: str


class CaseOut(CaseSummary):
    version: int
    applicants: list[ApplicantOut]
    act: ActOut
    facts: str
    claims: str
    external_ref: ExternalRef | None
    related_procedures: list[dict[str, Any]]
    deadlines: DeadlinesOut
    deadlines_notified_at: datetime | None
    deadlines_notified_how: DeadlineNoticeMethod | None
    possible_duplicates: list[DuplicateOut]
    recommended_channel: ResolutionChannel | None
    chosen_channel: ResolutionChannel | None
    closed_at: datetime | None
    allowed_actions: list[str]
    outcome: OutcomeOut | None = Field(description="The outcome in force, if any")
    classification: ClassificationOut | None = Field(
        description="The classification in force (the newest recorded); null before the first"
    )
    created_at: datetime
    updated_at: datetime


class CaseEventOut(OutputModel):
    id: uuid.UUID
    occurred_at: datetime
    type: str
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    actor_sub: str | None
    actor_role: str | None
    data: dict[str, Any]
