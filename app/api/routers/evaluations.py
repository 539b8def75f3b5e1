"""Annual evaluation rounds and honours (评选表彰, SPEC 2.14; Art. 19)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.api.deps import CurrentActor, Cursor, Limit, SessionDep, require_roles
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.auth.actor import Actor
from app.domain.evaluation import candidates, service
from app.domain.evaluation.candidates import CandidateKind
from app.domain.evaluation.schemas import (
    EvaluationCandidatesOut,
    EvaluationIn,
    EvaluationOut,
    HonourIn,
    HonourOut,
)
from app.domain.paging import Page
from app.states.codes import HonourKind, Role

router = APIRouter(tags=["evaluations"])

Organizer = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]
YearFilter = Annotated[int | None, Query(ge=2022, le=2100)]
ACTION_ERRORS = {**WRITE_ERRORS, **problem_responses(404, 409)}


@router.post(
    "/evaluations",
    status_code=201,
    summary="Open an annual evaluation round for an organizer's division (supervisor)",
    operation_id="create_evaluation",
    responses=WRITE_ERRORS,
)
async def create_evaluation(
    body: EvaluationIn, session: SessionDep, actor: Organizer, response: Response
) -> EvaluationOut:
    evaluation = await service.create(session, actor=actor, data=body)
    response.headers["Location"] = f"/api/v1/evaluations/{evaluation.id}"
    return EvaluationOut.model_validate(evaluation)


@router.get(
    "/evaluations",
    summary="List evaluation rounds (supervisor)",
    operation_id="list_evaluations",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_evaluations(
    session: SessionDep,
    actor: Organizer,
    limit: Limit = 50,
    cursor: Cursor = None,
    year: YearFilter = None,
) -> Page[EvaluationOut]:
    return await service.list_evaluations(session, year=year, cursor=cursor, limit=limit)


@router.get(
    "/evaluations/{evaluation_id}",
    summary="Read an evaluation round (supervisor)",
    operation_id="get_evaluation",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def get_evaluation(
    evaluation_id: uuid.UUID, session: SessionDep, actor: Organizer
) -> EvaluationOut:
    return EvaluationOut.model_validate(await service.get(session, evaluation_id))


@router.get(
    "/evaluations/{evaluation_id}/candidates",
    summary="The candidates in the organizer's division, ranked with the figures behind the "
    "rank and what each added (the formula is in the answer)",
    operation_id="list_evaluation_candidates",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def list_candidates(
    evaluation_id: uuid.UUID,
    session: SessionDep,
    actor: Organizer,
    kind: Annotated[CandidateKind, Query(description="individual (lawyers) or unit (agencies)")],
) -> EvaluationCandidatesOut:
    return await candidates.candidates(session, evaluation_id=evaluation_id, kind=kind)


@router.post(
    "/evaluations/{evaluation_id}/honours",
    status_code=201,
    summary="Award an advanced individual (a lawyer) or an advanced unit (an agency) in the "
    "organizer's division",
    operation_id="award_honour",
    responses=ACTION_ERRORS,
)
async def award_honour(
    evaluation_id: uuid.UUID,
    body: HonourIn,
    session: SessionDep,
    actor: Organizer,
    response: Response,
) -> HonourOut:
    honour = await service.award(session, actor=actor, evaluation_id=evaluation_id, data=body)
    response.headers["Location"] = f"/api/v1/honours?evaluation_id={evaluation_id}"
    return HonourOut.model_validate(honour)


@router.post(
    "/evaluations/{evaluation_id}/close",
    summary="Close the round; its honours stay as awarded",
    operation_id="close_evaluation",
    responses=ACTION_ERRORS,
)
async def close_evaluation(
    evaluation_id: uuid.UUID, session: SessionDep, actor: Organizer
) -> EvaluationOut:
    evaluation = await service.close(session, actor=actor, evaluation_id=evaluation_id)
    return EvaluationOut.model_validate(evaluation)


@router.get(
    "/honours",
    summary="Honours awarded (public recognition: every role)",
    operation_id="list_honours",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_honours(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
    lawyer_id: uuid.UUID | None = None,
    agency_id: uuid.UUID | None = None,
    year: YearFilter = None,
    kind: HonourKind | None = None,
) -> Page[HonourOut]:
    filters = service.HonourFilters(lawyer_id, agency_id, year, kind)
    return await service.list_honours(session, filters=filters, cursor=cursor, limit=limit)
