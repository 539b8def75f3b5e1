"""CSV/formula injection (SPEC 2.15; OWASP "CSV Injection"): a spreadsheet runs text that
begins with ``=``, ``+``, ``-`` or ``@`` as a formula (and a tab or carriage return can hide
one), so every text cell that begins with one of them is written as text with a leading
``'``. Numbers are written as numbers and never pass through here."""

from __future__ import annotations

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_text(value: str) -> str:
    return "'" + value if value.startswith(DANGEROUS_STARTS) else value
