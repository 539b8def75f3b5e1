"""Activities public lawyers record outside dispatched cases (履职活动, SPEC 2.11)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from app.api.deps import CurrentActor, Cursor, IsoDate, Limit, SessionDep, require_roles
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain.activities import service
from app.domain.activities.schemas import ActivityIn, ActivityNote, ActivityOut, ActivityPatch
from app.domain.activities.service import ActivityFilters
from app.domain.auth.actor import Actor
from app.domain.paging import Page
from app.states.codes import ActivityKind, ActivityStatus, Role

router = APIRouter(prefix="/activities", tags=["activities"])

Recorder = Annotated[
    Actor,
    Depends(require_roles(Role.ADMIN, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER, Role.LAWYER)),
]
Decider = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.AGENCY_OFFICER))]
ACTION_ERRORS = {**WRITE_ERRORS, **problem_responses(404, 409)}


def _answer(activity: object, response: Response) -> ActivityOut:
    out = ActivityOut.model_validate(activity)
    response.headers["ETag"] = f'"{out.id}.{out.version}"'
    return out


@router.get(
    "",
    summary="List activities (an agency sees its own and its lawyers', a lawyer their own)",
    operation_id="list_activities",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_activities(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
    lawyer_id: uuid.UUID | None = None,
    agency_id: uuid.UUID | None = None,
    kind: ActivityKind | None = None,
    status: ActivityStatus | None = None,
    occurred_from: IsoDate | None = None,
    occurred_to: IsoDate | None = None,
) -> Page[ActivityOut]:
    filters = ActivityFilters(lawyer_id, agency_id, kind, status, occurred_from, occurred_to)
    return await service.list_activities(
        session, actor=actor, filters=filters, cursor=cursor, limit=limit
    )


@router.post(
    "",
    status_code=201,
    summary="Record an activity (a lawyer's own is `submitted`; an agency's or the center's "
    "is `confirmed` at once)",
    operation_id="record_activity",
    responses=ACTION_ERRORS,
)
async def record_activity(
    body: ActivityIn, session: SessionDep, actor: Recorder, response: Response
) -> ActivityOut:
    activity = await service.record(session, actor=actor, body=body)
    response.headers["Location"] = f"/api/v1/activities/{activity.id}"
    return _answer(activity, response)


@router.get(
    "/{activity_id}",
    summary="Read an activity",
    operation_id="get_activity",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def get_activity(
    activity_id: uuid.UUID, session: SessionDep, actor: CurrentActor, response: Response
) -> ActivityOut:
    activity = await service.get_visible(session, actor=actor, activity_id=activity_id)
    return _answer(activity, response)


@router.patch(
    "/{activity_id}",
    summary="Correct a `submitted` or `returned` activity (If-Match required); it is "
    "`submitted` again",
    operation_id="correct_activity",
    responses={**ACTION_ERRORS, **problem_responses(412, 428)},
)
async def correct_activity(
    activity_id: uuid.UUID,
    body: ActivityPatch,
    session: SessionDep,
    actor: Recorder,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
) -> ActivityOut:
    activity = await service.correct(
        session, actor=actor, activity_id=activity_id, patch=body, if_match=if_match
    )
    return _answer(activity, response)


@router.delete(
    "/{activity_id}",
    summary="Withdraw a `submitted` or `returned` activity (it stays, `withdrawn`)",
    operation_id="withdraw_activity",
    responses=ACTION_ERRORS,
)
async def withdraw_activity(
    activity_id: uuid.UUID, session: SessionDep, actor: Recorder, response: Response
) -> ActivityOut:
    activity = await service.withdraw(session, actor=actor, activity_id=activity_id)
    return _answer(activity, response)


@router.post(
    "/{activity_id}/confirm",
    summary="Confirm a lawyer's record (their agency's officer)",
    operation_id="confirm_activity",
    responses=ACTION_ERRORS,
)
async def confirm_activity(
    activity_id: uuid.UUID, session: SessionDep, actor: Decider, response: Response
) -> ActivityOut:
    activity = await service.confirm(session, actor=actor, activity_id=activity_id)
    return _answer(activity, response)


@router.post(
    "/{activity_id}/return",
    summary="Return a lawyer's record with a note on what to fix (their agency's officer)",
    operation_id="return_activity",
    responses=ACTION_ERRORS,
)
async def return_activity(
    activity_id: uuid.UUID,
    body: ActivityNote,
    session: SessionDep,
    actor: Decider,
    response: Response,
) -> ActivityOut:
    activity = await service.return_to_recorder(
        session, actor=actor, activity_id=activity_id, note=body.note
    )
    return _answer(activity, response)
