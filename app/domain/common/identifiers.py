"""Validation and normalisation of Chinese identity numbers and phone numbers.

Resident identity numbers follow GB 11643-1999, unified social credit codes GB 32100-2015.
Standard library only: this module is shared by the API schemas, the import tools and the
log processors.
"""

from __future__ import annotations

import re
from datetime import date

from app.clock import today_shanghai

__all__ = [
    "CREDIT_CODE_CHARSET",
    "InvalidIdentifier",
    "credit_code_check_char",
    "normalize_credit_code",
    "normalize_phone",
    "normalize_resident_id",
    "resident_id_check_char",
]


class InvalidIdentifier(ValueError):
    """An identifier failed validation; ``code`` is stable for API clients, ``message`` is
    for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- GB 11643-1999 resident identity number -------------------------------------------------

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK_CHARS = "10X98765432"
# Explicit [0-9] everywhere: \d and str.isdigit() also accept non-ASCII digits such as "٣".
_RESIDENT_BODY = re.compile(r"[0-9]{17}")
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)


def resident_id_check_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if not _RESIDENT_BODY.fullmatch(first17):
        raise InvalidIdentifier(
            "invalid_characters", "The first 17 characters of a resident ID must be digits."
        )
    pairs = zip(first17, _RESIDENT_WEIGHTS, strict=True)
    total = sum(int(digit) * weight for digit, weight in pairs)
    return _RESIDENT_CHECK_CHARS[total % 11]


def normalize_resident_id(value: str, today: date | None = None) -> str:
    """Return the canonical 18-character form (trailing ``x`` upper-cased) or raise
    :class:`InvalidIdentifier`.

    The address code is deliberately not checked against a list: divisions are renamed and
    renumbered (茌平 moved from 371523 to 371503) while the old numbers stay valid for life.
    """
    candidate = value.strip()
    if len(candidate) != 18:
        raise InvalidIdentifier(
            "invalid_length", "A resident ID must be exactly 18 characters long."
        )
    if candidate.endswith("x"):
        candidate = candidate[:-1] + "X"
    if not _RESIDENT_ID.fullmatch(candidate):
        raise InvalidIdentifier(
            "invalid_characters",
            "A resident ID must be 17 digits followed by a digit or X.",
        )
    _check_birth_date(candidate[6:14], today)
    if resident_id_check_char(candidate[:17]) != candidate[17]:
        raise InvalidIdentifier(
            "invalid_check_digit", "The resident ID check character does not match."
        )
    return candidate


def _check_birth_date(yyyymmdd: str, today: date | None) -> None:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise InvalidIdentifier(
            "invalid_birth_date", "The birth date in the resident ID is not a real date."
        ) from None
    if born < _EARLIEST_BIRTH:
        raise InvalidIdentifier(
            "invalid_birth_date", "The birth date in the resident ID is before 1900-01-01."
        )
    if born > (today if today is not None else today_shanghai()):
        raise InvalidIdentifier(
            "invalid_birth_date", "The birth date in the resident ID is in the future."
        )


# --- GB 32100-2015 unified social credit code -----------------------------------------------

# I, O, Z, S and V are left out of the standard because they are easily confused with
# 1, 0, 2, 5 and U.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {char: index for index, char in enumerate(CREDIT_CODE_CHARSET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    if len(first17) != 17:
        raise InvalidIdentifier(
            "invalid_length", "A credit code body must be exactly 17 characters long."
        )
    _require_credit_charset(first17)
    pairs = zip(first17, _CREDIT_WEIGHTS, strict=True)
    total = sum(_CREDIT_VALUES[char] * weight for char, weight in pairs)
    # 31 - (total mod 31) lies in 1..31, and the standard writes 31 as "0".
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Return the upper-cased 18-character code or raise :class:`InvalidIdentifier`."""
    candidate = value.strip().upper()
    if len(candidate) != 18:
        raise InvalidIdentifier(
            "invalid_length", "A unified social credit code must be exactly 18 characters long."
        )
    _require_credit_charset(candidate)
    if credit_code_check_char(candidate[:17]) != candidate[17]:
        raise InvalidIdentifier(
            "invalid_check_digit", "The credit code check character does not match."
        )
    return candidate


def _require_credit_charset(value: str) -> None:
    if any(char not in _CREDIT_VALUES for char in value):
        raise InvalidIdentifier(
            "invalid_characters",
            "A credit code may only contain digits and the letters ABCDEFGHJKLMNPQRTUWXY.",
        )


# --- Phone numbers --------------------------------------------------------------------------

_MOBILE = re.compile(r"(?:\+86|0086)?(1[3-9][0-9]{9})")
# Only Beijing (010) and the 02x cities have three-digit area codes; every other area code has
# four. Using the real plan resolves "06358888888" as 0635 + 8888888 rather than 063 + 58888888.
# Subscriber numbers never start with 0 or 1 (1xx are service numbers such as 110 or 12345).
_FIXED_LINE = re.compile(
    r"(0(?:10|2[0-9]|[3-9][0-9]{2}))[ -]?([2-9][0-9]{6,7})(?:[ -]([0-9]{1,6}))?"
)
_MOBILE_SEPARATORS = re.compile(r"[ -]")


def normalize_phone(value: str) -> str:
    """Return ``1XXXXXXXXXX`` for a mainland mobile or ``0AREA-NUMBER[-EXT]`` for a fixed line,
    or raise :class:`InvalidIdentifier`."""
    candidate = value.strip()
    mobile = _MOBILE.fullmatch(_MOBILE_SEPARATORS.sub("", candidate))
    if mobile:
        return mobile.group(1)
    fixed = _FIXED_LINE.fullmatch(candidate)
    if fixed:
        area, number, extension = fixed.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    raise InvalidIdentifier(
        "invalid_phone",
        "A phone number must be a mainland mobile (11 digits starting with 13-19) or a fixed "
        "line with its area code, such as 0635-8888888.",
    )
