"""Masking of identity and phone numbers for responses, log lines and audit records (SPEC 4.3).

Standard library only, so the logging processor can use it without importing the web stack.
"""

from __future__ import annotations

import re

from app.domain.common.identifiers import (
    InvalidIdentifier,
    credit_code_check_char,
    normalize_phone,
)

__all__ = ["mask_id_number", "mask_phone", "mask_sensitive_text"]


def mask_id_number(value: str) -> str:
    """``371502199001011234`` -> ``3715**********1234``.

    Values shorter than 12 keep less, so that at least half of any value is hidden: keeping
    4 + 4 of an 8- or 9-character passport number would reveal nearly all of it.
    """
    length = len(value)
    if length < 8:
        return "*" * max(length - 1, 0) + value[-1:]
    keep = 4 if length >= 12 else 2
    return value[:keep] + "*" * (length - 2 * keep) + value[-keep:]


def mask_phone(value: str) -> str:
    """``13800000000`` -> ``138****0000``; ``0635-8888888`` -> ``0635-***8888``.

    Input that is not a phone number is masked like an identity number rather than returned,
    because a caller handing it here believes it is personal data.
    """
    try:
        normalized = normalize_phone(value)
    except InvalidIdentifier:
        return mask_id_number(value.strip())
    if normalized.startswith("1"):
        return normalized[:3] + "****" + normalized[-4:]
    area, number, *extension = normalized.split("-")
    masked = f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    # An extension is short but together with the visible digits it narrows the line down.
    return masked + "".join(f"-{'*' * len(part)}" for part in extension)


# Digit lookarounds rather than \b: Python treats CJK characters as word characters, so
# \b finds no boundary in "身份证号371502199001011234" and the number would slip through.
_ANY_DIGIT = re.compile(r"[0-9]")
_RESIDENT_ID_18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_RESIDENT_ID_15 = re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])")
_CREDIT_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}(?![0-9A-Za-z])")
# 3-4-4 groups may be separated by a space or hyphen, as people write them in letters.
_MOBILE = re.compile(r"(?<![0-9])((?:\+|00)?86[ -]?)?(1[3-9][0-9](?:[ -]?[0-9]{4}){2})(?![0-9])")
_FIXED_LINE = re.compile(r"(?<![0-9])(0(?:10|2[0-9]|[3-9][0-9]{2})-[2-9][0-9]{6,7})(?![0-9])")
_SEPARATORS = re.compile(r"[ -]")
# A UUID's last group is twelve hex characters and often eleven digits in a row ("f17923014875"
# holds a mobile's shape); record ids in audit changes and messages must come out as they went in.
_UUID = re.compile(
    r"(?<![0-9A-Za-z-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"(?![0-9A-Za-z-])"
)


def _mask_id_match(match: re.Match[str]) -> str:
    return mask_id_number(match.group())


def _mask_credit_match(match: re.Match[str]) -> str:
    token = match.group()
    upper = token.upper()
    # Ordinary 18-letter words and identifiers must survive, so only tokens with a digit that
    # also carry a correct check character (a 1-in-31 chance for random text) are masked.
    if not _ANY_DIGIT.search(upper) or credit_code_check_char(upper[:17]) != upper[17]:
        return token
    return mask_id_number(token)


def _mask_mobile_match(match: re.Match[str]) -> str:
    prefix, number = match.groups()
    return (prefix or "") + mask_phone(_SEPARATORS.sub("", number))


def _mask_fixed_line_match(match: re.Match[str]) -> str:
    return mask_phone(match.group())


def mask_sensitive_text(text: str) -> str:
    """Mask resident IDs (18 and 15 digits), valid credit codes, mobiles and fixed lines
    written with an area code and hyphen, wherever they appear in free text; UUIDs pass."""
    if not _ANY_DIGIT.search(text):
        return text
    if "-" not in text:
        return _mask_shapes(text)
    # Only the text between UUIDs is looked at.
    out, start = [], 0
    for match in _UUID.finditer(text):
        out += [_mask_shapes(text[start : match.start()]), match.group()]
        start = match.end()
    out.append(_mask_shapes(text[start:]))
    return "".join(out)


def _mask_shapes(text: str) -> str:
    # 18-digit IDs go first: once masked they contain "*" and no later pattern can match.
    text = _RESIDENT_ID_18.sub(_mask_id_match, text)
    text = _CREDIT_CODE.sub(_mask_credit_match, text)
    text = _RESIDENT_ID_15.sub(_mask_id_match, text)
    text = _MOBILE.sub(_mask_mobile_match, text)
    return _FIXED_LINE.sub(_mask_fixed_line_match, text)
