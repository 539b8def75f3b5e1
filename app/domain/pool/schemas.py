"""Pool memberships, in and out."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.domain.common.schema import InputModel, OutputModel
from app.states.codes import MembershipStatus, PoolCompliance

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
    nominated: int = Field(description="Pending nominations: not in the pool yet")
    quota_used: int = Field(
        description="approved + nominated: what the per-agency quota (pool_max_per_agency) "
        "counts when a nomination is made"
    )
    status: PoolCompliance = Field(
        description="Approved members only against the policy's bounds: pending nominations "
        "do not count towards the minimum (a nominee is not yet a mediator)"
    )


class ComplianceOut(OutputModel):
    """Every administrative organ (administrative organs and the judicial bureaus) that has
    public lawyers, with its pool for the year."""

    year: int
    pool_min_per_agency: int
    pool_max_per_agency: int
    pending_nominations_count: bool = Field(
        False,
        description="Whether pending nominations count towards `status` (they do not; they "
        "count towards the quota, see `quota_used`)",
    )
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
