"""Tables as a native Excel workbook (XlsxWriter): a sheet per table, the header row frozen,
column widths set from the content, number formats per column kind, and native charts.

XlsxWriter, not openpyxl: the service only writes workbooks, XlsxWriter is a writer only
(faster, less memory, no XML tree of the whole book), and its charts are complete (column,
line, combined) where openpyxl's are thinner. The tests read the result with openpyxl.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from app.domain.exports.guard import guard_text
from app.domain.exports.tables import Cell, ColumnKind, Table

_NUMBER_FORMATS: dict[ColumnKind, str | None] = {
    "text": None,
    "int": "#,##0",
    "number": "#,##0.00",
    "rate": "0.00%",
}
_MAX_WIDTH = 60


def _display_width(value: Cell) -> int:
    """Characters as wide as Excel shows them: a Chinese character takes two columns."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_cell(sheet: Worksheet, row: int, col: int, value: Cell, fmt: Format | None) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        # write_string: never a formula, a number or a URL, whatever the text looks like.
        sheet.write_string(row, col, guard_text(value), fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def workbook_bytes(tables: Sequence[Table]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats = {
        kind: book.add_format({"num_format": pattern}) if pattern else None
        for kind, pattern in _NUMBER_FORMATS.items()
    }
    for table in tables:
        sheet = book.add_worksheet(table.name[:31])
        cells = table.cells()
        for col, column in enumerate(table.columns):
            sheet.write_string(0, col, guard_text(column.header), header)
            width = max([_display_width(column.header)] + [_display_width(r[col]) for r in cells])
            sheet.set_column(col, col, min(width + 2, _MAX_WIDTH), formats[column.kind])
        for row_no, row in enumerate(cells, start=1):
            for col, value in enumerate(row):
                _write_cell(sheet, row_no, col, value, formats[table.columns[col].kind])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(cells), 1), len(table.columns) - 1)
        keys = [c.key for c in table.columns]
        for n, spec in enumerate(table.charts):
            chart = book.add_chart({"type": "column"})
            category = keys.index(spec.category)
            last = min(spec.row_count or len(cells), len(cells))
            for series in spec.series:
                col = keys.index(series)
                chart.add_series(
                    {
                        "name": [sheet.name, 0, col],
                        "categories": [sheet.name, 1, category, last, category],
                        "values": [sheet.name, 1, col, last, col],
                    }
                )
            chart.set_title({"name": spec.title})
            chart.set_size({"width": 720, "height": 360})
            anchor = xl_rowcol_to_cell(len(cells) + 3 + n * 20, 0)
            sheet.insert_chart(anchor, chart)
    book.close()
    return buffer.getvalue()
