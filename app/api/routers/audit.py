"""The audit trail: read and verify (admin, supervisor)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import (
    AuditReader,
    Cursor,
    DatabaseDep,
    IsoDateTime,
    Limit,
    SessionDep,
    SettingsDep,
)
from app.api.openapi_docs import AUTH_ERRORS, problem_responses
from app.domain.audit import service, verification
from app.domain.audit.schemas import AuditRecordOut, ChainReportOut
from app.domain.paging import Page
from app.errors import ValidationFailed

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "",
    summary="Audit records, newest first",
    operation_id="list_audit_records",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_audit_records(
    session: SessionDep,
    settings: SettingsDep,
    actor: AuditReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    actor_sub: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    object_type: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(max_length=20)] = None,
    occurred_from: IsoDateTime | None = None,
    occurred_to: IsoDateTime | None = None,
) -> Page[AuditRecordOut]:
    for name, moment in (("occurred_from", occurred_from), ("occurred_to", occurred_to)):
        if moment is not None and moment.tzinfo is None:
            raise ValidationFailed.of_field(
                f"query.{name}", "give a time zone offset", "naive_datetime"
            )
    filters = service.AuditFilters(
        actor_sub, action, object_type, object_id, outcome, occurred_from, occurred_to
    )
    return await service.list_records(
        session, key=settings.audit_key_bytes, filters=filters, cursor=cursor, limit=limit
    )


@router.get(
    "/verify",
    summary="Check the keyed chain: an edited, forged or deleted record is found",
    description="Reads the trail in batches without a lock that writers or readers wait "
    "for. Records deleted from the end are found only against a checkpoint "
    "(`adr audit verify --checkpoint FILE`).",
    operation_id="verify_audit_chain",
    responses=AUTH_ERRORS,
)
async def verify_audit_chain(
    database: DatabaseDep, settings: SettingsDep, actor: AuditReader
) -> ChainReportOut:
    report = await verification.verify(database.sessionmaker, key=settings.audit_key_bytes)
    return ChainReportOut.model_validate(report)
