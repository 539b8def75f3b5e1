"""Outcome of a case, and what follows it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.responses import Response

from app.api.deps import CipherDep, CurrentActor, SessionDep, require_roles
from app.api.idempotency import Created, IdempotencyDep
from app.api.openapi_docs import WRITE_ERRORS, problem_responses
from app.domain.auth.actor import Actor
from app.domain.cases import queries
from app.domain.cases.access import CENTER_ROLES
from app.domain.cases.schemas import CaseOut
from app.domain.outcomes import service
from app.domain.outcomes.schemas import (
    OutcomeIn,
    OutcomeOut,
    PerformanceIn,
    ReopenIn,
    SatisfactionIn,
    TypicalNominationIn,
    outcome_view,
)

router = APIRouter(prefix="/cases", tags=["outcomes"])
CenterActor = Annotated[Actor, Depends(require_roles(*CENTER_ROLES))]
ACTION_ERRORS = {**WRITE_ERRORS, **problem_responses(404, 409)}


@router.post(
    "/{case_id}/outcome",
    status_code=201,
    response_model=CaseOut,
    summary="Record the outcome and close the case (center, or the accepted presiding lawyer)",
    operation_id="record_outcome",
    responses=ACTION_ERRORS,
)
async def record_outcome(
    case_id: uuid.UUID,
    body: OutcomeIn,
    session: SessionDep,
    actor: CurrentActor,
    cipher: CipherDep,
    idem: IdempotencyDep,
) -> Response:
    async def close() -> Created:
        case, _ = await service.record_outcome(session, actor=actor, case_id=case_id, data=body)
        view = await queries.case_view(session, actor=actor, case=case, cipher=cipher)
        return Created(view, headers={"Location": f"/api/v1/cases/{case.id}"})

    async def still_visible(_stored: dict[str, Any]) -> None:
        await queries.get_visible_case(session, actor=actor, case_id=case_id)

    return await idem.run(close, visible=still_visible)


@router.post(
    "/{case_id}/performance",
    summary="Record whether the agreement was honoured (履行情况)",
    operation_id="record_performance",
    responses=ACTION_ERRORS,
)
async def record_performance(
    case_id: uuid.UUID, body: PerformanceIn, session: SessionDep, actor: CenterActor
) -> OutcomeOut:
    outcome = await service.record_performance(session, actor=actor, case_id=case_id, data=body)
    return outcome_view(outcome)


@router.post(
    "/{case_id}/satisfaction",
    summary="Record the applicant's satisfaction (1..5)",
    operation_id="record_satisfaction",
    responses=ACTION_ERRORS,
)
async def record_satisfaction(
    case_id: uuid.UUID, body: SatisfactionIn, session: SessionDep, actor: CenterActor
) -> OutcomeOut:
    outcome = await service.record_satisfaction(session, actor=actor, case_id=case_id, data=body)
    return outcome_view(outcome)


@router.post(
    "/{case_id}/typical-nomination",
    summary="Nominate a resolved case as a typical case (典型案例, Art. 18)",
    operation_id="nominate_typical_case",
    responses=ACTION_ERRORS,
)
async def nominate_typical_case(
    case_id: uuid.UUID,
    body: TypicalNominationIn,
    session: SessionDep,
    actor: CenterActor,
    cipher: CipherDep,
) -> OutcomeOut:
    outcome = await service.nominate_typical(
        session, actor=actor, case_id=case_id, data=body, cipher=cipher
    )
    return outcome_view(outcome)


@router.post(
    "/{case_id}/reopen",
    summary="Reopen a closed case with a reason (center)",
    operation_id="reopen_case",
    responses=ACTION_ERRORS,
)
async def reopen_case(
    case_id: uuid.UUID, body: ReopenIn, session: SessionDep, actor: CenterActor, cipher: CipherDep
) -> CaseOut:
    case = await service.reopen(session, actor=actor, case_id=case_id, data=body)
    return await queries.case_view(session, actor=actor, case=case, cipher=cipher)
