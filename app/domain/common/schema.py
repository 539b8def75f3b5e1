"""Base classes for request and response schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused (422), so nobody can slip a ``status`` or a
    ``case_no`` through a create or update."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputModel(BaseModel):
    """Response bodies, built from ORM objects or plain data."""

    model_config = ConfigDict(from_attributes=True)
