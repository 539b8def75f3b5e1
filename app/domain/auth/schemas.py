"""API key schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from app.domain.common.schema import InputModel, OutputModel
from app.states.codes import Role


class ApiKeyIn(InputModel):
    name: str = Field(min_length=1, max_length=200, examples=["和解中心委派系统"])
    role: Role = Field(examples=["center_coordinator"])
    agency_id: uuid.UUID | None = Field(
        None, description="Required for agency_officer keys: the agency the client acts for"
    )
    expires_on: date | None = Field(
        None,
        description="The last day (Asia/Shanghai) the key works; from the next day it is "
        "refused (401 api_key_expired). Today or later. Omitted: until revoked.",
        examples=["2027-01-31"],
    )


class ApiKeyOut(OutputModel):
    id: uuid.UUID
    name: str
    role: Role
    agency_id: uuid.UUID | None
    prefix: str = Field(description="The key's first characters, to tell keys apart")
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    expires_at: datetime | None = Field(
        description="When the key stops working (the end of its expires_on day)"
    )


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself. Shown this once only: store it now.")
