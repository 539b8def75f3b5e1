"""Policy version in and out."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.domain.common.schema import InputModel, OutputModel


class PolicyValues(InputModel):
    pool_max_per_agency: int = Field(
        ge=1, le=20, description="Art. 10: at most this many pool members per agency per year"
    )
    pool_min_per_agency: int = Field(ge=0, le=20, description="Art. 10: at least this many")
    deadline_warning_days: int = Field(ge=0, le=365)
    duplicate_window_days: int = Field(ge=1, le=3650)
    collective_threshold: int = Field(ge=2, le=200)
    max_open_assignments: int = Field(ge=1, le=100)
    offer_response_hours: int = Field(ge=1, le=720)
    auto_redispatch: bool
    repeat_honour_threshold: int = Field(
        2,
        ge=1,
        le=20,
        description="2.14: honours in this many years make a repeat honour (default 2)",
    )


class PolicyVersionIn(PolicyValues):
    effective_from: date
    effective_to: date | None = None
    basis: str = Field(
        min_length=1, max_length=500, description="The document the version rests on"
    )

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "effective_from": "2027-02-01",
                    "effective_to": None,
                    "pool_max_per_agency": 2,
                    "pool_min_per_agency": 1,
                    "deadline_warning_days": 15,
                    "duplicate_window_days": 180,
                    "collective_threshold": 5,
                    "max_open_assignments": 5,
                    "offer_response_hours": 48,
                    "auto_redispatch": True,
                    "repeat_honour_threshold": 2,
                    "basis": "聊城市公职律师参与行政争议化解工作实施办法(修订)",
                }
            ]
        },
    )

    # Field validators rather than one model validator, so that a 422 names the offending
    # field (``errors[].field``) instead of the whole body. Each compares with a field
    # declared before it, which is in ``info.data`` when it was valid itself.
    @field_validator("pool_min_per_agency")
    @classmethod
    def _min_within_max(cls, value: int, info: ValidationInfo) -> int:
        maximum = info.data.get("pool_max_per_agency")
        if maximum is not None and value > maximum:
            raise PydanticCustomError(
                "min_above_max", "pool_min_per_agency must not exceed pool_max_per_agency"
            )
        return value

    @field_validator("effective_to")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("effective_from")
        if value is not None and start is not None and value < start:
            raise PydanticCustomError(
                "period_reversed", "effective_to must not be before effective_from"
            )
        return value


class PolicyVersionOut(OutputModel):
    id: uuid.UUID
    effective_from: date
    effective_to: date | None
    pool_max_per_agency: int
    pool_min_per_agency: int
    deadline_warning_days: int
    duplicate_window_days: int
    collective_threshold: int
    max_open_assignments: int
    offer_response_hours: int
    auto_redispatch: bool
    repeat_honour_threshold: int
    basis: str
    created_at: datetime


class PolicyInForceOut(OutputModel):
    on: date
    covered: bool = Field(
        description="False when no version covers the date and the latest is applied"
    )
    warning: str | None = None
    expires_in_days: int | None = Field(
        None,
        description="From 90 days before the version applied ends with no successor: days "
        "left (0 on its last day, negative once ended); otherwise null",
    )
    version: PolicyVersionOut
