"""Pool memberships, in and out."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.domain.common.enums import MembershipStatus, PoolCompliance
from app.domain.common.schema import InputModel, OutputModel

Year = Field(ge=2022, le=2100, examples=[2026])


class NominationIn(InputModel):
    lawyer_id: uuid.UUID
    year: int = Year


class DecisionIn(InputModel):
    reason: str | None = Field(None, max_length=500)


class MembershipOut(OutputModel):
    id: uuid.UUID
    lawyer_id: uuid.UUID
    agency_id: uuid.UUID
    year: int
    status: MembershipStatus
    status_reason: str | None
    nominated_at: datetime
    nominated_by: str
    decided_at: datetime | None
    decided_by: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None


class ComplianceRow(OutputModel):
    agency_id: uuid.UUID
    agency_name: str
    region_code: str
    business_system: str
    approved: int
    nominated: int
    status: PoolCompliance = Field(description="approved members against the policy's bounds")


class ComplianceOut(OutputModel):
    year: int
    pool_min_per_agency: int
    pool_max_per_agency: int
    items: list[ComplianceRow]


class RenewalIn(InputModel):
    from_year: int = Year
    to_year: int = Year
    agency_id: uuid.UUID | None = None


class RenewalSkip(OutputModel):
    lawyer_id: uuid.UUID
    agency_id: uuid.UUID
    reason: str = Field(
        description="certificate_inactive, lawyer_inactive, already_in_pool, pool_quota_exceeded"
    )


class RenewalOut(OutputModel):
    from_year: int
    to_year: int
    nominated: list[MembershipOut]
    skipped: list[RenewalSkip]
