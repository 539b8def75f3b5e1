"""Statistics and their exports (SPEC 2.15): read from the replica when there is one (SPEC
5). Every figure's definition is in the operation's description and in the response."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import CurrentActor, ReportSessionDep
from app.api.openapi_docs import AUTH_ERRORS, problem_responses
from app.clock import today_shanghai
from app.domain.exports.csv_file import csv_bytes
from app.domain.exports.disposition import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    content_disposition,
)
from app.domain.exports.tables import Table
from app.domain.exports.xlsx_file import workbook_bytes
from app.domain.statistics.cases import case_statistics
from app.domain.statistics.definitions import CASE_DEFINITIONS, LAWYER_DEFINITIONS
from app.domain.statistics.export import case_tables, lawyer_tables
from app.domain.statistics.lawyers import lawyer_statistics
from app.domain.statistics.schemas import (
    CaseFilters,
    CaseGroupBy,
    CaseStatisticsOut,
    LawyerFilters,
    LawyerStatisticsOut,
)

router = APIRouter(prefix="/statistics", tags=["statistics"])

Format = Literal["json", "xlsx", "csv"]
Year = Annotated[
    int, Query(ge=2000, le=2100, description="The calendar year, Asia/Shanghai", examples=[2026])
]
FormatQuery = Annotated[
    Format,
    Query(
        description="json (default); xlsx: a native workbook (a sheet per table, frozen "
        "header, widths, number formats; for cases a chart of received vs resolved per "
        "month); csv: the main table, UTF-8 with BOM. Text cells that begin with =, +, -, @, "
        "tab or CR are written with a leading ' (formula injection).",
    ),
]
BusinessSystem = Annotated[
    str | None,
    Query(max_length=40, pattern=r"^[a-z][a-z0-9_]*$", examples=["natural_resources"]),
]
READ_SOURCE_HEADER = "Read-Source"
_HEADERS_DOC = {
    READ_SOURCE_HEADER: {
        "description": "replica or primary: where the figures were read (SPEC 5)",
        "schema": {"type": "string", "enum": ["replica", "primary"]},
    }
}


def _described(intro: str, definitions: dict[str, str]) -> str:
    return intro + "\n\n" + "\n".join(f"- **{k}**: {v}" for k, v in definitions.items())


def _file_responses(model: type[Any], example: dict[str, Any]) -> dict[int | str, Any]:
    return {
        200: {
            "model": model,
            "headers": _HEADERS_DOC,
            "content": {
                "application/json": {"example": example},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **AUTH_ERRORS,
        **problem_responses(404, 422),
    }


def _export(tables: list[Table], fmt: Format, stem: str, ascii_stem: str, source: str) -> Response:
    if fmt == "xlsx":
        body, media, ext = workbook_bytes(tables), XLSX_MEDIA_TYPE, "xlsx"
    else:
        body, media, ext = csv_bytes(tables[0]), CSV_MEDIA_TYPE, "csv"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": content_disposition(f"{stem}.{ext}", f"{ascii_stem}.{ext}"),
            READ_SOURCE_HEADER: source,
        },
    )


_CASES_EXAMPLE: dict[str, Any] = {
    "year": 2026,
    "period_from": "2026-01-01",
    "period_to": "2026-12-31",
    "time_zone": "Asia/Shanghai",
    "filters": {"region_code": None, "business_system": None, "respondent_agency_id": None},
    "group_by": None,
    "total": {"received": 120, "closed": 96, "resolved": 70, "resolution_rate": 0.7865},
    "groups": [],
    "definitions": {"received": "…"},
}


@router.get(
    "/cases",
    summary="Case statistics for a year (received, closed, resolved, open, timings, offers)",
    description=_described(
        "Every case figure of SPEC 2.15 for the year, in total and per `group_by`. An "
        "agency officer counts its own agency's cases, a lawyer their own (SPEC 4.2). "
        "Definitions:",
        CASE_DEFINITIONS,
    ),
    operation_id="case_statistics",
    response_model=CaseStatisticsOut,
    responses=_file_responses(CaseStatisticsOut, _CASES_EXAMPLE),
)
async def get_case_statistics(
    request: Request,
    session: ReportSessionDep,
    actor: CurrentActor,
    year: Year,
    region_code: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{6}$", description="The respondent's region (GB/T 2260)"),
    ] = None,
    business_system: BusinessSystem = None,
    respondent_agency_id: uuid.UUID | None = None,
    group_by: CaseGroupBy | None = None,
    format: FormatQuery = "json",
) -> Any:
    filters = CaseFilters(
        region_code=region_code,
        business_system=business_system,
        respondent_agency_id=respondent_agency_id,
    )
    today = today_shanghai()
    report = await case_statistics(
        session, actor=actor, year=year, today=today, filters=filters, group_by=group_by
    )
    source: str = request.state.read_source
    if format == "json":
        return _json(report, source)
    monthly = report
    if format == "xlsx" and group_by != "month":
        monthly = await case_statistics(
            session, actor=actor, year=year, today=today, filters=filters, group_by="month"
        )
    suffix = f"_{group_by}" if group_by else ""
    return _export(
        case_tables(report, monthly),
        format,
        f"行政争议案件统计_{year}{suffix}",
        f"adr-case-statistics-{year}{suffix}",
        source,
    )


def _json(report: CaseStatisticsOut | LawyerStatisticsOut, source: str) -> Response:
    return Response(
        report.model_dump_json(),
        media_type="application/json",
        headers={READ_SOURCE_HEADER: source},
    )


_LAWYERS_EXAMPLE: dict[str, Any] = {
    "year": 2026,
    "period_from": "2026-01-01",
    "period_to": "2026-12-31",
    "time_zone": "Asia/Shanghai",
    "filters": {"agency_id": None, "business_system": None},
    "total": {
        "active_at_year_end": 40,
        "new_in_year": 6,
        "pool_members": 30,
        "cases_presided": 85,
        "activities_by_kind": {"law_lecture": 12, "training": 9},
        "training_hours": 162.0,
    },
    "agencies": [],
    "notes": [],
    "definitions": {"active_at_year_end": "…"},
}


@router.get(
    "/lawyers",
    summary="The public-lawyer corps per agency for a year (Art. 16, 19)",
    description=_described(
        "Per agency: public lawyers with active certificates at the year's end, new that "
        "year, pool members, cases presided, activities by kind and training hours. An agency "
        "officer reads its own agency (another agency: 403), a lawyer themself. Definitions:",
        LAWYER_DEFINITIONS,
    ),
    operation_id="lawyer_statistics",
    response_model=LawyerStatisticsOut,
    responses={**_file_responses(LawyerStatisticsOut, _LAWYERS_EXAMPLE), **problem_responses(403)},
)
async def get_lawyer_statistics(
    request: Request,
    session: ReportSessionDep,
    actor: CurrentActor,
    year: Year,
    agency_id: uuid.UUID | None = None,
    business_system: BusinessSystem = None,
    format: FormatQuery = "json",
) -> Any:
    filters = LawyerFilters(agency_id=agency_id, business_system=business_system)
    report = await lawyer_statistics(session, actor=actor, year=year, filters=filters)
    source: str = request.state.read_source
    if format == "json":
        return _json(report, source)
    return _export(
        lawyer_tables(report),
        format,
        f"公职律师统计_{year}",
        f"adr-lawyer-statistics-{year}",
        source,
    )
