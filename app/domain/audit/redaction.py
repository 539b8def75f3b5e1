"""Personal data never reaches an audit record in clear (SPEC 4.3)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from app.domain.common.masking import mask_id_number, mask_phone, mask_sensitive_text

_ID_KEYS = ("id_number", "credit_code_number")
_PHONE_KEYS = ("phone", "mobile", "telephone")


def redact(value: Any, key: str = "") -> Any:
    """A JSON-safe copy with identity numbers and phones masked, by field name and by shape."""
    if isinstance(value, dict):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [redact(v, key) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, uuid.UUID | date | datetime):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    text = str(value)
    lowered = key.lower()
    if any(k in lowered for k in _ID_KEYS):
        return mask_id_number(text)
    if any(k in lowered for k in _PHONE_KEYS):
        return mask_phone(text)
    return mask_sensitive_text(text)
