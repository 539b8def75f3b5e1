"""A public lawyer's work archive for a year (工作档案, SPEC 2.12; Art. 15)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import CurrentActor, ReportSessionDep
from app.api.openapi_docs import AUTH_ERRORS, problem_responses
from app.domain.archive.figures import DEFINITIONS
from app.domain.archive.schemas import ArchiveOut
from app.domain.archive.service import lawyer_archive
from app.domain.archive.workbook import archive_tables
from app.domain.exports.disposition import XLSX_MEDIA_TYPE, content_disposition
from app.domain.exports.xlsx_file import workbook_bytes

router = APIRouter(prefix="/lawyers", tags=["archive"])

_DESCRIPTION = (
    "The lawyer's year, computed from the records every time: pool memberships, offers and "
    "the cases of those accepted with their outcomes, confirmed activities, honours, and the "
    "lists behind every figure. Readable by the lawyer, their agency's officers, the center, "
    "the supervisor and admin (anyone else: 404). `format=xlsx` gives the same as a workbook: "
    "a summary sheet and one sheet per list. Definitions:\n\n"
    + "\n".join(f"- **{k}**: {v}" for k, v in DEFINITIONS.items())
)


@router.get(
    "/{lawyer_id}/archive",
    summary="A public lawyer's work archive for a year (Art. 15)",
    description=_DESCRIPTION,
    operation_id="lawyer_archive",
    response_model=ArchiveOut,
    responses={
        200: {
            "model": ArchiveOut,
            "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
        **AUTH_ERRORS,
        **problem_responses(404, 422),
    },
)
async def get_lawyer_archive(
    request: Request,
    lawyer_id: uuid.UUID,
    session: ReportSessionDep,
    actor: CurrentActor,
    year: Annotated[int, Query(ge=2022, le=2100, description="Asia/Shanghai", examples=[2026])],
    format: Annotated[
        Literal["json", "xlsx"], Query(description="json (default) or an Excel workbook")
    ] = "json",
) -> Any:
    archive = await lawyer_archive(session, actor=actor, lawyer_id=lawyer_id, year=year)
    if format == "json":
        return Response(archive.model_dump_json(), media_type="application/json")
    name = f"工作档案_{archive.lawyer.name}_{year}.xlsx"
    return Response(
        workbook_bytes(archive_tables(archive)),
        media_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": content_disposition(name, f"adr-archive-{year}.xlsx"),
            "Read-Source": request.state.read_source,
        },
    )
