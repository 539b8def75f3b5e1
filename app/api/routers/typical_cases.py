"""Typical cases (典型案例, SPEC 2.13; Art. 18): the supervisor's selections, and the
published cases every role may read."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.api.deps import CurrentActor, Cursor, Limit, SessionDep, require_roles
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.auth.actor import Actor
from app.domain.paging import Page
from app.domain.typical import service
from app.domain.typical.schemas import (
    TypicalCaseOut,
    TypicalDecisionIn,
    TypicalNominationOut,
    TypicalSelectionIn,
    TypicalSelectionOut,
)
from app.states.codes import Role

router = APIRouter(tags=["typical-cases"])

Selector = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]
YearFilter = Annotated[int | None, Query(ge=2022, le=2100)]
ACTION_ERRORS = {**WRITE_ERRORS, **problem_responses(404, 409)}
READ_ERRORS = {**AUTH_ERRORS, **problem_responses(404, 422)}


@router.post(
    "/typical-case-selections",
    status_code=201,
    summary="Open a typical-case selection over a nomination window (supervisor)",
    operation_id="create_typical_case_selection",
    responses=WRITE_ERRORS,
)
async def create_selection(
    body: TypicalSelectionIn, session: SessionDep, actor: Selector, response: Response
) -> TypicalSelectionOut:
    selection = await service.create(session, actor=actor, data=body)
    response.headers["Location"] = f"/api/v1/typical-case-selections/{selection.id}"
    return TypicalSelectionOut.model_validate(selection)


@router.get(
    "/typical-case-selections",
    summary="List typical-case selections (supervisor)",
    operation_id="list_typical_case_selections",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_selections(
    session: SessionDep,
    actor: Selector,
    limit: Limit = 50,
    cursor: Cursor = None,
    year: YearFilter = None,
) -> Page[TypicalSelectionOut]:
    return await service.list_selections(session, year=year, cursor=cursor, limit=limit)


@router.get(
    "/typical-case-selections/{selection_id}",
    summary="Read a typical-case selection (supervisor)",
    operation_id="get_typical_case_selection",
    responses=READ_ERRORS,
)
async def get_selection(
    selection_id: uuid.UUID, session: SessionDep, actor: Selector
) -> TypicalSelectionOut:
    return TypicalSelectionOut.model_validate(await service.get(session, selection_id))


@router.get(
    "/typical-case-selections/{selection_id}/nominations",
    summary="The cases nominated in the selection's window, with the decision on each",
    operation_id="list_typical_case_nominations",
    responses=READ_ERRORS,
)
async def list_nominations(
    selection_id: uuid.UUID, session: SessionDep, actor: Selector
) -> list[TypicalNominationOut]:
    return await service.nominations(session, selection_id=selection_id)


@router.post(
    "/typical-case-selections/{selection_id}/decisions",
    summary="Decide on a nominated case: selected or not (a later decision replaces it "
    "while the selection is open)",
    operation_id="decide_typical_case",
    responses=ACTION_ERRORS,
)
async def decide(
    selection_id: uuid.UUID, body: TypicalDecisionIn, session: SessionDep, actor: Selector
) -> TypicalNominationOut:
    return await service.decide(session, actor=actor, selection_id=selection_id, data=body)


@router.post(
    "/typical-case-selections/{selection_id}/publish",
    summary="Publish the selection; it is frozen afterwards",
    operation_id="publish_typical_case_selection",
    responses=ACTION_ERRORS,
)
async def publish(
    selection_id: uuid.UUID, session: SessionDep, actor: Selector
) -> TypicalSelectionOut:
    selection = await service.publish(session, actor=actor, selection_id=selection_id)
    return TypicalSelectionOut.model_validate(selection)


@router.get(
    "/typical-cases",
    summary="Published typical cases (any role): de-identified, never the applicants",
    operation_id="list_typical_cases",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_typical_cases(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
    year: YearFilter = None,
) -> Page[TypicalCaseOut]:
    return await service.published_cases(session, year=year, cursor=cursor, limit=limit)
