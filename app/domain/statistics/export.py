"""The statistics as export tables: the JSON's figures, column for column (nested figures
flattened as ``received_by_channel.petition``), a total row, and the definitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.exports.tables import Cell, Chart, Column, Table, flatten
from app.domain.statistics.schemas import (
    CaseFigures,
    CaseStatisticsOut,
    LawyerStatisticsOut,
)

TOTAL_KEY = "total"
_RATES = {"resolution_rate", "acceptance_rate"}
_NUMBERS = {"days_to_close_median", "days_to_close_p90", "satisfaction_average", "training_hours"}


def _kind(key: str) -> Any:
    if key in _RATES:
        return "rate"
    if key in _NUMBERS:
        return "number"
    return "int"


def _figure_columns(sample: Mapping[str, Cell]) -> list[Column]:
    return [Column(key, _kind(key)) for key in sample]


def _definitions(definitions: Mapping[str, str]) -> Table:
    return Table(
        "definitions",
        [Column("figure", "text"), Column("definition", "text")],
        [{"figure": k, "definition": v} for k, v in definitions.items()],
    )


def case_rows(report: CaseStatisticsOut) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = [
        {"key": g.key, "label": g.label, **flatten(g.model_dump(exclude={"key", "label"}))}
        for g in report.groups
    ]
    rows.append({"key": TOTAL_KEY, "label": "合计", **flatten(report.total.model_dump())})
    return rows


def case_table(report: CaseStatisticsOut, name: str = "cases") -> Table:
    rows = case_rows(report)
    columns = [Column("key", "text"), Column("label", "text")]
    columns += _figure_columns(flatten(report.total.model_dump()))
    charts: tuple[Chart, ...] = ()
    if report.group_by == "month":
        title = f"{report.year}年 受理与化解 (received vs resolved)"
        charts = (Chart(title, "label", ("received", "resolved"), row_count=12),)
    return Table(name, columns, rows, charts)


def case_tables(report: CaseStatisticsOut, monthly: CaseStatisticsOut) -> list[Table]:
    """The report's own table, the months with the chart of received against resolved
    (the report itself when it is by month), and the definitions."""
    if report.group_by == "month":
        return [case_table(report), _definitions(report.definitions)]
    return [case_table(report), case_table(monthly, "by_month"), _definitions(report.definitions)]


def lawyer_rows(report: LawyerStatisticsOut) -> list[dict[str, Cell]]:
    rows: list[dict[str, Cell]] = [flatten(r.model_dump(mode="json")) for r in report.agencies]
    total = flatten(report.total.model_dump())
    rows.append({"agency_id": TOTAL_KEY, "agency_name": "合计", "region_code": None, **total})
    return rows


def lawyer_tables(report: LawyerStatisticsOut) -> list[Table]:
    figures = flatten(report.total.model_dump())
    columns = [
        Column("agency_id", "text"),
        Column("agency_name", "text"),
        Column("region_code", "text"),
        *_figure_columns(figures),
    ]
    notes = Table("notes", [Column("note", "text")], [{"note": n} for n in report.notes])
    return [Table("lawyers", columns, lawyer_rows(report)), notes, _definitions(report.definitions)]


__all__ = ["TOTAL_KEY", "CaseFigures", "case_tables", "lawyer_tables"]
