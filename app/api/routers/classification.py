"""Classification of a case (争议识别)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from app.api.deps import CipherDep, CurrentActor, Cursor, Limit, SessionDep, require_roles
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.auth.actor import Actor
from app.domain.cases import queries
from app.domain.cases.access import CENTER_ROLES
from app.domain.cases.schemas import CaseOut, ClassificationOut
from app.domain.classification import service
from app.domain.classification.schemas import ClassificationIn, SuggestionOut
from app.domain.paging import Page

router = APIRouter(prefix="/cases", tags=["classification"])
CenterActor = Annotated[Actor, Depends(require_roles(*CENTER_ROLES))]


@router.post(
    "/{case_id}/classification",
    summary="Record the Art. 5 conditions and Art. 8 guidance; not met → closed as out of scope",
    operation_id="classify_case",
    responses={**WRITE_ERRORS, **problem_responses(404, 409)},
)
async def classify_case(
    case_id: uuid.UUID,
    body: ClassificationIn,
    session: SessionDep,
    actor: CenterActor,
    cipher: CipherDep,
) -> CaseOut:
    case, _ = await service.classify(session, actor=actor, case_id=case_id, data=body)
    return await queries.case_view(session, actor=actor, case=case, cipher=cipher)


@router.get(
    "/{case_id}/classification-suggestion",
    summary="Propose a classification from the case's text and data (changes nothing)",
    operation_id="suggest_classification",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def suggest_classification(
    case_id: uuid.UUID, session: SessionDep, actor: CenterActor
) -> SuggestionOut:
    return await service.suggestion(session, actor=actor, case_id=case_id)


@router.get(
    "/{case_id}/classifications",
    summary="The case's classification history, oldest first (every reclassification kept)",
    operation_id="list_case_classifications",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def list_case_classifications(
    case_id: uuid.UUID,
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ClassificationOut]:
    return await queries.classification_history(
        session, actor=actor, case_id=case_id, cursor=cursor, limit=limit
    )
