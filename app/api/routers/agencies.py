"""Agencies (单位)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import AdminActor, CurrentActor, Cursor, Limit, SessionDep
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.paging import Page
from app.domain.registry import agencies as service
from app.domain.registry.schemas import AgencyIn, AgencyOut, AgencyPatch
from app.states.codes import AgencyKind, AgencyLevel

router = APIRouter(prefix="/agencies", tags=["registry"])


@router.get(
    "",
    summary="List agencies",
    operation_id="list_agencies",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_agencies(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: AgencyKind | None = None,
    level: AgencyLevel | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    business_system: Annotated[str | None, Query(max_length=40)] = None,
    active: bool | None = None,
) -> Page[AgencyOut]:
    return await service.list_agencies(
        session,
        cursor=cursor,
        limit=limit,
        kind=kind,
        level=level,
        region_code=region_code,
        business_system=business_system,
        active=active,
    )


@router.post(
    "",
    status_code=201,
    summary="Register an agency (admin)",
    operation_id="create_agency",
    responses={**WRITE_ERRORS, **problem_responses(409)},
)
async def create_agency(
    body: AgencyIn, session: SessionDep, actor: AdminActor, response: Response
) -> AgencyOut:
    agency = await service.create_agency(session, actor=actor, data=body)
    response.headers["Location"] = f"/api/v1/agencies/{agency.id}"
    return AgencyOut.model_validate(agency)


@router.get(
    "/{agency_id}",
    summary="Read an agency",
    operation_id="get_agency",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def get_agency(agency_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> AgencyOut:
    return AgencyOut.model_validate(await service.get_agency(session, agency_id))


@router.patch(
    "/{agency_id}",
    summary="Correct an agency (admin)",
    operation_id="update_agency",
    responses={**WRITE_ERRORS, **problem_responses(404, 409)},
)
async def update_agency(
    agency_id: uuid.UUID, body: AgencyPatch, session: SessionDep, actor: AdminActor
) -> AgencyOut:
    agency = await service.update_agency(session, actor=actor, agency_id=agency_id, patch=body)
    return AgencyOut.model_validate(agency)
