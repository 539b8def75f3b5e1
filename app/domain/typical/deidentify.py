"""Is a typical case's published text free of the applicants (SPEC 2.13)?

Refused when it names any applicant, carries any applicant's identity number or phone
number (compared with the sealed numbers opened for the check), or carries anything shaped
like an identity number or a phone number at all (the masking patterns of SPEC 4.3). Pure:
the service opens the numbers and passes them in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.domain.common.masking import mask_sensitive_text
from app.errors import ValidationFailed

_SPACING = re.compile(r"[\s\-]")


@dataclass(frozen=True)
class ApplicantTraces:
    """What would identify the applicants: names, identity numbers, phone numbers."""

    names: tuple[str, ...]
    numbers: tuple[str, ...]


def _leak(text: str, traces: ApplicantTraces) -> str | None:
    """Why ``text`` is not de-identified, or None."""
    if any(name and name in text for name in traces.names):
        return "it names an applicant"
    compact = _SPACING.sub("", text).upper()
    if any(number and _SPACING.sub("", number).upper() in compact for number in traces.numbers):
        return "it carries an applicant's identity or phone number"
    if mask_sensitive_text(text) != text:
        return "it carries text shaped like an identity or phone number"
    return None


def ensure_deidentified(texts: Mapping[str, str | None], traces: ApplicantTraces) -> None:
    """422 ``summary_not_deidentified`` naming the first field that identifies someone."""
    for field, text in texts.items():
        reason = _leak(text, traces) if text else None
        if reason is not None:
            raise ValidationFailed.of_field(
                field, f"the text is not de-identified: {reason}", "summary_not_deidentified"
            )


def traces_of(names: Iterable[str], numbers: Iterable[str | None]) -> ApplicantTraces:
    return ApplicantTraces(
        names=tuple(n.strip() for n in names if n and n.strip()),
        numbers=tuple(n for n in numbers if n),
    )
