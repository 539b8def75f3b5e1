"""Activities in and out (SPEC 2.11)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import Field

from app.domain.common.schema import InputModel, OutputModel, not_nullable
from app.states.codes import ActivityKind, ActivityStatus, Campaign, MediationRole, VenueType

Title = Annotated[str, Field(min_length=1, max_length=200)]
LawyerIds = Annotated[list[uuid.UUID], Field(min_length=1, max_length=50)]
Hours = Annotated[float, Field(ge=0, le=24, description="Hours on the day (0–24)")]
Quantity = Annotated[int, Field(ge=1, le=10_000, description="How many were handled")]
Participants = Annotated[int, Field(ge=0, le=1_000_000, description="Audience size")]


class _Facts(InputModel):
    """What both a new record and a correction may say."""

    description: str | None = Field(None, max_length=4000)
    participants: Participants | None = None
    hours: Hours | None = Field(None, description="Needed for `training`")
    location: str | None = Field(None, max_length=200)
    venue_type: VenueType | None = Field(None, description="Needed for `outreach`")
    publication: str | None = Field(
        None, max_length=500, description="Needed for `research`: where it was published"
    )
    role: MediationRole | None = Field(
        None, description="Needed for `administrative_mediation`, refused for other kinds"
    )


class ActivityIn(_Facts):
    kind: ActivityKind
    occurred_on: date = Field(
        description="Asia/Shanghai; not in the future and not before 2022-02-01",
        examples=["2026-11-20"],
    )
    lawyer_ids: LawyerIds = Field(
        description="Lawyers of the recording agency (any lawyer when the center records); "
        "a lawyer records only themself"
    )
    agency_id: uuid.UUID | None = Field(
        None,
        description="The recording agency; default: the caller's (a lawyer's own agency, the "
        "center for a coordinator)",
    )
    title: Title = Field(examples=["为镇街干部讲授行政复议法"])
    quantity: Quantity = 1
    campaign: Campaign = Campaign.NONE


class ActivityPatch(_Facts):
    """A correction while the record is `submitted` or `returned` (JSON merge patch: send what
    changes; the optional facts may be null to clear them). It goes back to `submitted`."""

    kind: ActivityKind | None = Field(None, json_schema_extra=not_nullable)
    occurred_on: date | None = Field(None, json_schema_extra=not_nullable)
    lawyer_ids: LawyerIds | None = Field(None, json_schema_extra=not_nullable)
    title: Title | None = Field(None, json_schema_extra=not_nullable)
    quantity: Quantity | None = Field(None, json_schema_extra=not_nullable)
    campaign: Campaign | None = Field(None, json_schema_extra=not_nullable)

    NOT_NULLABLE: ClassVar[tuple[str, ...]] = (
        "kind",
        "occurred_on",
        "lawyer_ids",
        "title",
        "quantity",
        "campaign",
    )

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class ActivityNote(InputModel):
    note: str = Field(min_length=1, max_length=500, description="What the lawyer should fix")


class ActivityOut(OutputModel):
    id: uuid.UUID
    kind: ActivityKind
    status: ActivityStatus
    agency_id: uuid.UUID
    lawyer_ids: list[uuid.UUID]
    occurred_on: date
    title: str
    description: str | None
    quantity: int
    participants: int | None
    hours: float | None
    location: str | None
    venue_type: VenueType | None
    campaign: Campaign
    publication: str | None
    role: MediationRole | None = Field(validation_alias="mediation_role")
    status_note: str | None = Field(description="The officer's note when it was returned")
    recorded_by: str
    decided_at: datetime | None
    decided_by: str | None
    version: int
    created_at: datetime
    updated_at: datetime
