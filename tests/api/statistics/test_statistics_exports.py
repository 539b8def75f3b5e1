"""Exports of the statistics (SPEC 2.15): a native workbook (a sheet per table, frozen header,
widths, number formats, a chart of received vs resolved per month) and a CSV with BOM, both
with the figures of the JSON and the formula-injection guard."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest

from app.domain.exports.tables import flatten
from tests.support.dispatch_world import DispatchWorld
from tests.support.factories import API
from tests.support.statistics_world import PAST_YEAR, StatisticsWorld

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")测试局'


@pytest.fixture
async def world(client, auth, session) -> StatisticsWorld:
    world = await StatisticsWorld(DispatchWorld(client, auth), session).build()
    # An agency whose name a spreadsheet would run as a formula, respondent of one case.
    renamed = await client.patch(
        f"{API}/agencies/{world.agencies['R2']['id']}",
        json={"name": FORMULA_NAME},
        headers=world.w.admin,
    )
    assert renamed.status_code == 200, renamed.text
    return world


async def download(world: StatisticsWorld, path: str, **params: Any) -> Any:
    response = await world.w.client.get(
        f"{API}/statistics/{path}", params=params, headers=world.w.supervisor
    )
    assert response.status_code == 200, response.text
    return response


def json_rows(report: dict[str, Any], key: str = "key") -> list[dict[str, Any]]:
    """The JSON report as the export's rows: the groups, then the total."""
    if "groups" in report:
        rows = [flatten(g) for g in report["groups"]]
        return [*rows, {"key": "total", "label": "合计", **flatten(report["total"])}]
    rows = [flatten(a) for a in report["agencies"]]
    return [*rows, {"agency_id": "total", "agency_name": "合计", **flatten(report["total"])}]


def unguarded(value: Any) -> Any:
    return value[1:] if isinstance(value, str) and value.startswith("'=") else value


async def test_the_workbook_has_the_figures_of_the_json_a_chart_and_the_guard(world):
    year = world.this_year
    report = (await download(world, "cases", year=year, group_by="respondent_agency")).json()
    response = await download(
        world, "cases", year=year, group_by="respondent_agency", format="xlsx"
    )
    assert response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="adr-case-statistics-')
    expected_name = quote(f"行政争议案件统计_{year}_respondent_agency.xlsx", safe="")
    assert f"filename*=UTF-8''{expected_name}" in disposition

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["cases", "by_month", "definitions"]
    sheet = book["cases"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, [c.value for c in r], strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    expected = json_rows(report)
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        for column in header:
            value = want[column]
            assert unguarded(got[column]) == value, (column, got[column], value)
    # The guard: the formula-like agency name is text with a leading '.
    labels = [r["label"] for r in rows]
    assert "'" + FORMULA_NAME in labels
    assert FORMULA_NAME not in labels
    # Widths and number formats.
    assert sheet.column_dimensions["B"].width > 20  # agency names
    rate_column = header.index("resolution_rate") + 1
    assert sheet.cell(row=2, column=rate_column).number_format == "0.00%"
    assert sheet.cell(row=2, column=header.index("received") + 1).number_format == "#,##0"

    monthly = book["by_month"]
    assert monthly.freeze_panes == "A2"
    [chart] = monthly._charts
    assert len(chart.series) == 2  # received and resolved
    by_month = (await download(world, "cases", year=year, group_by="month")).json()
    month_header = [c.value for c in monthly[1]]
    received_col = month_header.index("received")
    resolved_col = month_header.index("resolved")
    sheet_months = [
        (r[received_col].value, r[resolved_col].value)
        for r in monthly.iter_rows(min_row=2, max_row=13)
    ]
    assert sheet_months == [(g["received"], g["resolved"]) for g in by_month["groups"]]
    definitions = {r[0].value: r[1].value for r in book["definitions"].iter_rows(min_row=2)}
    assert definitions == report["definitions"]


async def test_the_csv_has_a_bom_the_figures_of_the_json_and_the_guard(world):
    report = (await download(world, "cases", year=PAST_YEAR, group_by="respondent_agency")).json()
    response = await download(
        world, "cases", year=PAST_YEAR, group_by="respondent_agency", format="csv"
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = json_rows(report)
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        for column, text in got.items():
            value = want[column]
            if value is None:
                assert text == ""
            elif isinstance(value, str):
                assert unguarded(text) == value
            else:
                assert float(text) == value, (column, text, value)
    assert "'" + FORMULA_NAME in [r["label"] for r in rows]


async def test_a_by_month_workbook_draws_its_own_months(world):
    response = await download(world, "cases", year=PAST_YEAR, group_by="month", format="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["cases", "definitions"]
    assert len(book["cases"]._charts) == 1


async def test_the_lawyer_statistics_export_as_workbook_and_csv(world):
    year = world.this_year
    report = (await download(world, "lawyers", year=year)).json()
    book = openpyxl.load_workbook(
        io.BytesIO((await download(world, "lawyers", year=year, format="xlsx")).content)
    )
    assert book.sheetnames == ["lawyers", "notes", "definitions"]
    sheet = book["lawyers"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, [c.value for c in r], strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    expected = json_rows(report)
    assert [{k: r[k] for k in header} for r in rows] == [
        {k: e.get(k) for k in header} for e in expected
    ]
    text = (await download(world, "lawyers", year=year, format="csv")).content.decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["pool_members"]) for r in parsed] == [e["pool_members"] for e in expected]


async def test_exports_keep_to_the_callers_view(world):
    officer = world.w.officer(world.agencies["R1"]["id"])
    params = {"year": world.this_year}
    client = world.w.client
    mine = (await client.get(f"{API}/statistics/cases", params=params, headers=officer)).json()
    response = await client.get(
        f"{API}/statistics/cases", params={**params, "format": "csv"}, headers=officer
    )
    [total] = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert int(total["received"]) == mine["total"]["received"] == 3  # c5, c7, c9
