"""Base classes for request and response schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from app.domain.common.identifiers import (
    InvalidIdentifier,
    normalize_credit_code,
    normalize_phone,
    normalize_resident_id,
)


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused (422), so nobody can slip a ``status`` or a
    ``case_no`` through a create or update; text with a NUL character (which PostgreSQL
    cannot store) is refused naming the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("invalid_characters", "text must not contain NUL")
        if isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
            raise PydanticCustomError("invalid_characters", "text must not contain NUL")
        return value


class OutputModel(BaseModel):
    """Response bodies, built from ORM objects or plain data."""

    model_config = ConfigDict(from_attributes=True)


def checked(normalize: Callable[[str], str]) -> Callable[[str], str]:
    """Wrap an identifier normaliser for use in ``AfterValidator``: its ``InvalidIdentifier``
    becomes a validation error carrying the identifier's own code (``invalid_check_digit``…)
    and never the submitted value."""

    def validate(value: str) -> str:
        try:
            return normalize(value)
        except InvalidIdentifier as exc:
            raise PydanticCustomError(exc.code, exc.message) from None

    return validate


CreditCode = Annotated[str, AfterValidator(checked(normalize_credit_code))]
Phone = Annotated[str, AfterValidator(checked(normalize_phone))]
ResidentId = Annotated[str, AfterValidator(checked(normalize_resident_id))]
