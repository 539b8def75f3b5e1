"""The archive as tables for the workbook (SPEC 2.12): a summary sheet of every figure,
then one sheet per list. Written by the shared export module, whose guard keeps text that
looks like a formula as text."""

from __future__ import annotations

from typing import Any

from app.domain.archive.schemas import ArchiveOut
from app.domain.exports.tables import Cell, Column, Table, flatten

_FIGURE_GROUPS = ("offers", "cases", "activities", "honours")


def _summary(archive: ArchiveOut) -> Table:
    rows: list[dict[str, Cell]] = [
        {"figure": "lawyer", "value": archive.lawyer.name},
        {"figure": "agency", "value": archive.lawyer.agency_name},
        {"figure": "year", "value": archive.year},
        {"figure": "pool", "value": ", ".join(m.status.value for m in archive.pool) or "-"},
    ]
    dumped = archive.model_dump(mode="json")
    for group in _FIGURE_GROUPS:
        for name, value in flatten(dumped[group], f"{group}.").items():
            rows.append({"figure": name, "value": value})
    rows += [{"figure": "note", "value": note} for note in archive.notes]
    return Table("summary", [Column("figure", "text"), Column("value", "text")], rows)


def _list_table(name: str, items: list[dict[str, Any]], numbers: set[str]) -> Table:
    keys = list(items[0]) if items else []
    columns = [Column(k, "number" if k in numbers else "text") for k in keys]
    rows = [
        {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in item.items()}
        for item in items
    ]
    return Table(name, columns, rows)


def archive_tables(archive: ArchiveOut) -> list[Table]:
    dumped = archive.model_dump(mode="json")
    return [
        _summary(archive),
        _list_table("cases", dumped["case_list"], {"sessions", "hours", "satisfaction_score"}),
        _list_table(
            "activities", dumped["activity_list"], {"quantity", "participants", "hours", "version"}
        ),
    ]
