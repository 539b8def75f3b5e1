"""Public lawyers (公职律师), their certificates and leave."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import BureauActor, CipherDep, CurrentActor, Cursor, Limit, SessionDep
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.dispatch import standing
from app.domain.paging import Page
from app.domain.registry import honoured
from app.domain.registry import lawyers as service
from app.domain.registry.schemas import (
    CertificateStatusIn,
    LawyerIn,
    LawyerOut,
    LawyerPatch,
    UnavailabilityIn,
    UnavailabilityOut,
    lawyer_out,
)
from app.states.codes import CertificateStatus

router = APIRouter(prefix="/lawyers", tags=["registry"])


@router.get(
    "",
    summary="List public lawyers (an agency officer sees its own, a lawyer themself)",
    operation_id="list_lawyers",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_lawyers(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
    agency_id: uuid.UUID | None = None,
    specialty: Annotated[str | None, Query(max_length=40)] = None,
    certificate_status: CertificateStatus | None = None,
    active: bool | None = None,
    repeat_honouree: Annotated[
        bool | None,
        Query(description="true: the repeat honourees (多次被评优, Art. 19); false: the others"),
    ] = None,
) -> Page[LawyerOut]:
    return await service.list_lawyers(
        session,
        actor=actor,
        cursor=cursor,
        limit=limit,
        agency_id=agency_id,
        specialty=specialty,
        certificate_status=certificate_status,
        active=active,
        repeat_honouree=repeat_honouree,
    )


@router.post(
    "",
    status_code=201,
    summary="Register a public lawyer (admin, supervisor, or the lawyer's agency officer)",
    operation_id="create_lawyer",
    responses={**WRITE_ERRORS, **problem_responses(404, 409)},
)
async def create_lawyer(
    body: LawyerIn,
    session: SessionDep,
    actor: CurrentActor,
    cipher: CipherDep,
    response: Response,
) -> LawyerOut:
    lawyer = await service.create_lawyer(session, actor=actor, data=body, cipher=cipher)
    response.headers["Location"] = f"/api/v1/lawyers/{lawyer.id}"
    return lawyer_out(lawyer, repeat_honouree=False)  # nobody is honoured yet


@router.get(
    "/{lawyer_id}",
    summary="Read a public lawyer",
    operation_id="get_lawyer",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def get_lawyer(lawyer_id: uuid.UUID, session: SessionDep, actor: CurrentActor) -> LawyerOut:
    lawyer = await service.get_visible_lawyer(session, actor=actor, lawyer_id=lawyer_id)
    return await honoured.lawyer_view(session, lawyer)


@router.patch(
    "/{lawyer_id}",
    summary="Update a public lawyer",
    operation_id="update_lawyer",
    responses={**WRITE_ERRORS, **problem_responses(404, 409)},
)
async def update_lawyer(
    lawyer_id: uuid.UUID,
    body: LawyerPatch,
    session: SessionDep,
    actor: CurrentActor,
    cipher: CipherDep,
) -> LawyerOut:
    lawyer = await standing.update_lawyer(
        session, actor=actor, lawyer_id=lawyer_id, patch=body, cipher=cipher
    )
    return await honoured.lawyer_view(session, lawyer)


@router.put(
    "/{lawyer_id}/certificate-status",
    summary="Set certificate status (supervisor, admin); suspension withdraws pool places and "
    "live offers, and flags accepted work for reassignment",
    operation_id="set_certificate_status",
    responses={**WRITE_ERRORS, **problem_responses(404)},
)
async def set_certificate_status(
    lawyer_id: uuid.UUID, body: CertificateStatusIn, session: SessionDep, actor: BureauActor
) -> LawyerOut:
    lawyer = await standing.set_certificate_status(
        session, actor=actor, lawyer_id=lawyer_id, data=body
    )
    return await honoured.lawyer_view(session, lawyer)


@router.post(
    "/{lawyer_id}/unavailability",
    status_code=201,
    summary="Record a leave period (the lawyer, their agency, the center)",
    operation_id="add_unavailability",
    responses={**WRITE_ERRORS, **problem_responses(404)},
)
async def add_unavailability(
    lawyer_id: uuid.UUID,
    body: UnavailabilityIn,
    session: SessionDep,
    actor: CurrentActor,
    response: Response,
) -> UnavailabilityOut:
    period = await service.add_unavailability(session, actor=actor, lawyer_id=lawyer_id, data=body)
    response.headers["Location"] = f"/api/v1/lawyers/{lawyer_id}/unavailability"
    return UnavailabilityOut.model_validate(period)


@router.get(
    "/{lawyer_id}/unavailability",
    summary="A lawyer's leave periods",
    operation_id="list_unavailability",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def list_unavailability(
    lawyer_id: uuid.UUID,
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[UnavailabilityOut]:
    return await service.list_unavailability(
        session, actor=actor, lawyer_id=lawyer_id, cursor=cursor, limit=limit
    )
