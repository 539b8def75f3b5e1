"""Which budget a request spends (SPEC 3): none for health and metrics, the report budget
for statistics, archives and exports, the ordinary one for everything else.

The same classification sets the request's statement timeout (reports get the longer one),
so that an endpoint added later under these paths, or with ``format=xlsx|csv``, is a report
for both without anyone having to remember it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import parse_qsl

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_REPORT_PREFIXES = ("/api/v1/statistics/", "/api/v1/statistics?")
_ARCHIVE = re.compile(r"^/api/v1/lawyers/[^/]+/archive/?$")
_EXPORT_FORMATS = frozenset({"xlsx", "csv"})


class Budget(StrEnum):
    DEFAULT = "default"
    REPORT = "report"


def budget_of(path: str, query_string: bytes | str = b"") -> Budget | None:
    """The budget a request to ``path`` spends; None when it is not limited at all."""
    if path in EXEMPT_PATHS:
        return None
    if path == "/api/v1/statistics" or path.startswith(_REPORT_PREFIXES) or _ARCHIVE.match(path):
        return Budget.REPORT
    if _asks_for_export(query_string):
        return Budget.REPORT
    return Budget.DEFAULT


def _asks_for_export(query_string: bytes | str) -> bool:
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    if "format=" not in text:  # the common case, decided without parsing
        return False
    return any(
        name == "format" and value.lower() in _EXPORT_FORMATS
        for name, value in parse_qsl(text, keep_blank_values=True)
    )
