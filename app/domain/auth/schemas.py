"""API key schemas."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.domain.common.enums import Role
from app.domain.common.schema import InputModel, OutputModel


class ApiKeyIn(InputModel):
    name: str = Field(min_length=1, max_length=200, examples=["和解中心委派系统"])
    role: Role = Field(examples=["center_coordinator"])
    agency_id: uuid.UUID | None = Field(
        None, description="Required for agency_officer keys: the agency the client acts for"
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


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself. Shown this once only: store it now.")
