"""A table as CSV: UTF-8 with a byte-order mark (Excel opens Chinese text right only with
it), RFC 4180 quoting, CRLF line ends, the header row first."""

from __future__ import annotations

import csv
import io

from app.domain.exports.guard import guard_text
from app.domain.exports.tables import Cell, Table

BOM = "\ufeff"


def _cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_text(value)
    return value


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([guard_text(c.header) for c in table.columns])
    for row in table.cells():
        writer.writerow([_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")
