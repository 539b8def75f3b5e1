"""Agencies and public lawyers, in and out."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.domain.common.schema import CreditCode, InputModel, OutputModel, Phone, not_nullable
from app.states.codes import AgencyKind, AgencyLevel, CertificateStatus

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class AgencyIn(InputModel):
    name: str = Field(min_length=2, max_length=200, examples=["聊城市自然资源和规划局"])
    short_name: str | None = Field(None, max_length=100, examples=["市自然资源和规划局"])
    kind: AgencyKind
    level: AgencyLevel
    region_code: RegionCode = Field(examples=["371500"])
    business_system: Code = Field(examples=["natural_resources"])
    credit_code: CreditCode | None = Field(None, description="统一社会信用代码 (GB 32100)")
    active: bool = True


# Patches (JSON merge patch): a field left out keeps its value; ``null`` clears the fields
# that may be empty, and the others are documented as not nullable (``NOT_NULL``).
NOT_NULL = not_nullable


class AgencyPatch(InputModel):
    name: str | None = Field(None, min_length=2, max_length=200, json_schema_extra=NOT_NULL)
    short_name: str | None = Field(None, max_length=100)
    kind: AgencyKind | None = Field(None, json_schema_extra=NOT_NULL)
    level: AgencyLevel | None = Field(None, json_schema_extra=NOT_NULL)
    region_code: RegionCode | None = Field(None, json_schema_extra=NOT_NULL)
    business_system: Code | None = Field(None, json_schema_extra=NOT_NULL)
    credit_code: CreditCode | None = None
    active: bool | None = Field(None, json_schema_extra=NOT_NULL)


class AgencyOut(OutputModel):
    id: uuid.UUID
    name: str
    short_name: str | None
    kind: AgencyKind
    level: AgencyLevel
    region_code: str
    business_system: str
    credit_code: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class LawyerIn(InputModel):
    name: str = Field(min_length=1, max_length=100, examples=["张明"])
    agency_id: uuid.UUID
    certificate_no: str = Field(
        min_length=4, max_length=40, pattern=r"^[0-9A-Za-z-]+$", examples=["13715202210123456"]
    )
    certificate_issued_on: date
    specialties: list[Code] | None = Field(
        None, max_length=30, description="Business system codes; default: the agency's"
    )
    phone: Phone | None = Field(None, examples=["13800000000"])
    active: bool = True


class LawyerPatch(InputModel):
    name: str | None = Field(None, min_length=1, max_length=100, json_schema_extra=NOT_NULL)
    agency_id: uuid.UUID | None = Field(None, json_schema_extra=NOT_NULL)
    certificate_no: str | None = Field(
        None,
        min_length=4,
        max_length=40,
        pattern=r"^[0-9A-Za-z-]+$",
        json_schema_extra=NOT_NULL,
    )
    certificate_issued_on: date | None = Field(None, json_schema_extra=NOT_NULL)
    specialties: list[Code] | None = Field(
        None, min_length=1, max_length=30, description="null: back to the agency's default"
    )
    phone: Phone | None = Field(None, description="null: no phone")
    active: bool | None = Field(None, json_schema_extra=NOT_NULL)


class LawyerOut(OutputModel):
    id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    certificate_no: str
    certificate_issued_on: date
    certificate_status: CertificateStatus
    certificate_status_reason: str | None
    certificate_status_changed_at: datetime | None
    specialties: list[str]
    phone: str | None = Field(description="Masked: personal data is never shown in clear")
    active: bool
    repeat_honouree: bool = Field(
        description="Honoured as an advanced individual in at least the policy's "
        "repeat_honour_threshold different years (多次被评优, Art. 19)"
    )
    created_at: datetime
    updated_at: datetime


class CertificateStatusIn(InputModel):
    status: CertificateStatus
    reason: str = Field(min_length=2, max_length=500, examples=["年度考核不合格，暂停执业"])


class UnavailabilityIn(InputModel):
    from_date: date
    to_date: date
    reason: str = Field(min_length=1, max_length=500, examples=["年休假"])


class UnavailabilityOut(OutputModel):
    id: uuid.UUID
    lawyer_id: uuid.UUID
    from_date: date
    to_date: date
    reason: str
    created_at: datetime
    created_by: str


def lawyer_out(lawyer: Any, *, repeat_honouree: bool) -> LawyerOut:
    """The response shape of a lawyer: specialty codes, and the phone only masked."""
    return LawyerOut(
        id=lawyer.id,
        name=lawyer.name,
        agency_id=lawyer.agency_id,
        certificate_no=lawyer.certificate_no,
        certificate_issued_on=lawyer.certificate_issued_on,
        certificate_status=lawyer.certificate_status,
        certificate_status_reason=lawyer.certificate_status_reason,
        certificate_status_changed_at=lawyer.certificate_status_changed_at,
        specialties=[s.business_system for s in lawyer.specialties],
        phone=lawyer.phone_masked,
        active=lawyer.active,
        repeat_honouree=repeat_honouree,
        created_at=lawyer.created_at,
        updated_at=lawyer.updated_at,
    )
