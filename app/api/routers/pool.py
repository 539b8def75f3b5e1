"""The annual mediator pool (和解调解员人才库)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.api.deps import CurrentActor, Cursor, Limit, SessionDep, require_roles
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.auth.actor import Actor
from app.domain.paging import Page
from app.domain.pool import service
from app.domain.pool.schemas import (
    ComplianceOut,
    DecisionIn,
    MembershipOut,
    NominationIn,
    RenewalIn,
    RenewalOut,
    RenewalSkip,
)
from app.states.codes import MembershipStatus, Role

router = APIRouter(prefix="/pool", tags=["pool"])

Nominator = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.AGENCY_OFFICER))]
Decider = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.CENTER_COORDINATOR))]
Withdrawer = Annotated[
    Actor, Depends(require_roles(Role.ADMIN, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER))
]
ComplianceReader = Annotated[
    Actor,
    Depends(
        require_roles(Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER)
    ),
]
ACTION_ERRORS = {**WRITE_ERRORS, **problem_responses(404, 409)}


@router.get(
    "/memberships",
    summary="List pool memberships (an agency officer sees its agency's, a lawyer their own)",
    operation_id="list_memberships",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_memberships(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
    year: Annotated[int | None, Query(ge=2022, le=2100)] = None,
    agency_id: uuid.UUID | None = None,
    status: MembershipStatus | None = None,
    lawyer_id: uuid.UUID | None = None,
) -> Page[MembershipOut]:
    return await service.list_memberships(
        session,
        actor=actor,
        cursor=cursor,
        limit=limit,
        year=year,
        agency_id=agency_id,
        status=status,
        lawyer_id=lawyer_id,
    )


@router.post(
    "/memberships",
    status_code=201,
    summary="Nominate a lawyer of your agency for a year (quota: pool_max_per_agency)",
    operation_id="nominate_member",
    responses=ACTION_ERRORS,
)
async def nominate_member(
    body: NominationIn, session: SessionDep, actor: Nominator, response: Response
) -> MembershipOut:
    membership = await service.nominate(
        session, actor=actor, lawyer_id=body.lawyer_id, year=body.year
    )
    response.headers["Location"] = f"/api/v1/pool/memberships?lawyer_id={body.lawyer_id}"
    return MembershipOut.model_validate(membership)


@router.post(
    "/memberships/renewals",
    summary="Nominate last year's approved members again; reports who was skipped and why",
    operation_id="renew_memberships",
    responses=ACTION_ERRORS,
)
async def renew_memberships(body: RenewalIn, session: SessionDep, actor: Nominator) -> RenewalOut:
    report = await service.renew(
        session,
        actor=actor,
        from_year=body.from_year,
        to_year=body.to_year,
        agency_id=body.agency_id,
    )
    return RenewalOut(
        from_year=body.from_year,
        to_year=body.to_year,
        nominated=[MembershipOut.model_validate(m) for m in report.nominated],
        skipped=[RenewalSkip(lawyer_id=lw, agency_id=ag, reason=r) for lw, ag, r in report.skipped],
    )


@router.post(
    "/memberships/{membership_id}/approve",
    summary="Approve a nomination (center)",
    operation_id="approve_membership",
    responses=ACTION_ERRORS,
)
async def approve_membership(
    membership_id: uuid.UUID, session: SessionDep, actor: Decider, body: DecisionIn | None = None
) -> MembershipOut:
    membership = await service.approve(
        session, actor=actor, membership_id=membership_id, reason=body.reason if body else None
    )
    return MembershipOut.model_validate(membership)


@router.post(
    "/memberships/{membership_id}/reject",
    summary="Reject a nomination (center)",
    operation_id="reject_membership",
    responses=ACTION_ERRORS,
)
async def reject_membership(
    membership_id: uuid.UUID, session: SessionDep, actor: Decider, body: DecisionIn | None = None
) -> MembershipOut:
    membership = await service.reject(
        session, actor=actor, membership_id=membership_id, reason=body.reason if body else None
    )
    return MembershipOut.model_validate(membership)


@router.post(
    "/memberships/{membership_id}/withdraw",
    summary="Withdraw a membership (the nominating agency or the center)",
    operation_id="withdraw_membership",
    responses=ACTION_ERRORS,
)
async def withdraw_membership(
    membership_id: uuid.UUID,
    session: SessionDep,
    actor: Withdrawer,
    body: DecisionIn | None = None,
) -> MembershipOut:
    membership = await service.withdraw(
        session, actor=actor, membership_id=membership_id, reason=body.reason if body else None
    )
    return MembershipOut.model_validate(membership)


@router.get(
    "/compliance",
    summary="Each administrative organ's pool count for a year against the quota",
    operation_id="pool_compliance",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def pool_compliance(
    session: SessionDep,
    actor: ComplianceReader,
    year: Annotated[int, Query(ge=2022, le=2100)],
) -> ComplianceOut:
    return await service.compliance(session, actor=actor, year=year)
