"""Dispatch (统一委派) and the assignments it creates."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.api.deps import CurrentActor, Cursor, Limit, SessionDep, require_roles
from app.api.idempotency import Created, IdempotencyDep
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.api.problems import from_domain_error
from app.clock import now_utc
from app.domain.auth.actor import Actor
from app.domain.cases import queries as case_queries
from app.domain.cases.access import CENTER_ROLES
from app.domain.dispatch import answers, reading, service
from app.domain.dispatch.schemas import (
    AssignmentOut,
    CandidatesOut,
    ConflictDecisionIn,
    DeclineIn,
    DispatchIn,
    WithdrawOfferIn,
)
from app.domain.paging import Page
from app.states.codes import AssignmentStatus, DispatchRole

router = APIRouter(tags=["dispatch"])
Dispatcher = Annotated[Actor, Depends(require_roles(*CENTER_ROLES))]
ACTION_ERRORS = {**WRITE_ERRORS, **problem_responses(404, 409)}


@router.get(
    "/cases/{case_id}/dispatch-candidates",
    summary="Ranked eligible lawyers with the figures behind the rank, and the excluded",
    operation_id="list_dispatch_candidates",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def list_dispatch_candidates(
    case_id: uuid.UUID,
    session: SessionDep,
    actor: Dispatcher,
    role: DispatchRole = DispatchRole.PRESIDING,
) -> CandidatesOut:
    case = await case_queries.get_visible_case(session, actor=actor, case_id=case_id)
    return await service.candidates(session, case=case, role=role)


@router.post(
    "/cases/{case_id}/dispatch",
    status_code=201,
    response_model=AssignmentOut,
    summary="Offer the case to the top-ranked (or a named) lawyer; honours Idempotency-Key",
    operation_id="dispatch_case",
    responses=ACTION_ERRORS,
)
async def dispatch_case(
    case_id: uuid.UUID,
    body: DispatchIn,
    session: SessionDep,
    actor: Dispatcher,
    idem: IdempotencyDep,
) -> Response:
    async def offer() -> Created:
        case = await case_queries.get_visible_case(
            session,
            actor=actor,
            case_id=case_id,
            for_update=True,
            with_applicants=False,
            overdue_at=now_utc(),
        )
        if case.offers_overdue:  # asked along with the lock: no round trip when none is
            await answers.expire_overdue(session, case_id=case.id)
        offer = await service.dispatch(
            session,
            actor=actor,
            case=case,
            role=body.role,
            lawyer_id=body.lawyer_id,
            reason=body.reason,
        )
        return Created(offer.view, headers={"Location": f"/api/v1/assignments/{offer.view.id}"})

    async def still_visible(_stored: dict[str, Any]) -> None:
        await case_queries.get_visible_case(session, actor=actor, case_id=case_id)

    return await idem.run(offer, visible=still_visible)


@router.get(
    "/assignments",
    summary="Assignments (a lawyer sees their own, an agency officer its lawyers')",
    operation_id="list_assignments",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_assignments(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
    lawyer_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    status: Annotated[AssignmentStatus | None, Query()] = None,
    needs_reassignment: Annotated[
        bool | None,
        Query(description="Accepted work of lawyers no longer in active service (true)"),
    ] = None,
) -> Page[AssignmentOut]:
    return await reading.list_assignments(
        session,
        actor=actor,
        cursor=cursor,
        limit=limit,
        lawyer_id=lawyer_id,
        case_id=case_id,
        status=status,
        needs_reassignment=needs_reassignment,
    )


@router.get(
    "/assignments/{assignment_id}",
    summary="An assignment, with the reasoning behind the choice",
    operation_id="get_assignment",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def get_assignment(
    assignment_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> AssignmentOut:
    return await reading.read_assignment(session, actor=actor, assignment_id=assignment_id)


def _answered(result: object) -> AssignmentOut | Response:
    if isinstance(result, answers.OfferExpired):
        # Rendered, not raised: the expiry found on the way is committed.
        return from_domain_error(result)
    return AssignmentOut.model_validate(result)


@router.post(
    "/assignments/{assignment_id}/accept",
    response_model=AssignmentOut,
    summary="Accept an offer (the lawyer offered)",
    operation_id="accept_assignment",
    responses=ACTION_ERRORS,
)
async def accept_assignment(
    assignment_id: uuid.UUID, session: SessionDep, actor: CurrentActor
) -> AssignmentOut | Response:
    return _answered(await answers.accept(session, actor=actor, assignment_id=assignment_id))


@router.post(
    "/assignments/{assignment_id}/decline",
    response_model=AssignmentOut,
    summary="Decline an offer: conflict_of_interest, work_conflict (Art. 9) or other",
    operation_id="decline_assignment",
    responses=ACTION_ERRORS,
)
async def decline_assignment(
    assignment_id: uuid.UUID, body: DeclineIn, session: SessionDep, actor: CurrentActor
) -> AssignmentOut | Response:
    result = await answers.decline(session, actor=actor, assignment_id=assignment_id, data=body)
    return _answered(result)


@router.post(
    "/assignments/{assignment_id}/conflict-decision",
    response_model=AssignmentOut,
    summary="The lawyer's agency rules on a reported work conflict: release or keep, naming "
    "the agency head who decided (Art. 9); too late → 409 offer_expired",
    operation_id="decide_work_conflict",
    responses=ACTION_ERRORS,
)
async def decide_work_conflict(
    assignment_id: uuid.UUID, body: ConflictDecisionIn, session: SessionDep, actor: CurrentActor
) -> AssignmentOut | Response:
    result = await answers.conflict_decision(
        session, actor=actor, assignment_id=assignment_id, data=body
    )
    return _answered(result)


@router.post(
    "/assignments/{assignment_id}/withdraw",
    response_model=AssignmentOut,
    summary="Withdraw a live offer with a reason (coordinator); a presiding one is redispatched",
    operation_id="withdraw_assignment",
    responses=ACTION_ERRORS,
)
async def withdraw_assignment(
    assignment_id: uuid.UUID, body: WithdrawOfferIn, session: SessionDep, actor: Dispatcher
) -> AssignmentOut:
    assignment = await answers.withdraw(
        session, actor=actor, assignment_id=assignment_id, reason=body.reason
    )
    return AssignmentOut.model_validate(assignment)
