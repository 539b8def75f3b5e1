"""The download's name (RFC 6266 with RFC 8187's ``filename*``): Chinese names reach every
modern browser through ``filename*=UTF-8''…``; ``filename`` carries an ASCII fallback for
the rest."""

from __future__ import annotations

import re
from urllib.parse import quote

_NOT_TOKEN = re.compile(r"[^A-Za-z0-9._-]+")

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with both names; ``fallback`` is reduced to safe ASCII."""
    ascii_name = _NOT_TOKEN.sub("_", fallback).strip("_") or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
