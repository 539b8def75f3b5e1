"""Cases: intake, reading, correction and the timeline."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Response

from app.api.deps import (
    CipherDep,
    CurrentActor,
    Cursor,
    IsoDateTime,
    Limit,
    QueryText,
    SessionDep,
    require_roles,
)
from app.api.idempotency import Created, IdempotencyDep
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.domain import idempotency
from app.domain.auth.actor import Actor
from app.domain.cases import deadline_refresh, intake, queries, reception
from app.domain.cases.access import INTAKE_ROLES
from app.domain.cases.schemas import (
    CaseEventOut,
    CaseIn,
    CaseOut,
    CasePatch,
    CaseSummary,
    DeadlineNoticeIn,
)
from app.domain.paging import Page
from app.errors import PreconditionFailed, PreconditionRequired, ValidationFailed
from app.states.codes import CaseStatus, IntakeChannel, Priority

router = APIRouter(prefix="/cases", tags=["cases"])
Intaker = Annotated[Actor, Depends(require_roles(*INTAKE_ROLES))]


@router.post(
    "",
    status_code=201,
    response_model=CaseOut,
    summary="Take in a case (intake); honours Idempotency-Key",
    operation_id="create_case",
    responses={**WRITE_ERRORS, **problem_responses(409)},
)
async def create_case(
    body: CaseIn, session: SessionDep, actor: Intaker, cipher: CipherDep, idem: IdempotencyDep
) -> Response:
    received: reception.Received | None = None

    async def receive() -> Created:
        nonlocal received
        received = await reception.receive(session, actor=actor, data=body, cipher=cipher)
        view = received.view
        return Created(
            view, headers={"Location": f"/api/v1/cases/{view.id}", "ETag": queries.etag(view)}
        )

    async def number(key: idempotency.KeyRow | None) -> str:
        assert received is not None
        return await reception.number(session, received, key=key)

    async def still_visible(stored: dict[str, Any]) -> None:
        await queries.get_visible_case(session, actor=actor, case_id=uuid.UUID(stored["id"]))

    # Once the case number is taken only the commit follows: the answer is rendered before,
    # and with an Idempotency-Key it is kept by the numbering statement itself.
    return await idem.run_numbered(receive, number, visible=still_visible)


@router.get(
    "",
    summary="List cases, newest first (an agency officer sees its own; a lawyer theirs)",
    operation_id="list_cases",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_cases(
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: CaseStatus | None = None,
    channel: IntakeChannel | None = None,
    business_system: Annotated[str | None, Query(max_length=40)] = None,
    respondent_agency_id: uuid.UUID | None = None,
    priority: Priority | None = None,
    received_from: IsoDateTime | None = None,
    received_to: IsoDateTime | None = None,
    deadline_warning: Annotated[
        bool | None,
        Query(description="Only cases with a remedy deadline within the warning window"),
    ] = None,
    q: Annotated[
        QueryText | None,
        Query(
            min_length=2,
            max_length=100,
            description="Text search in title, facts and claims (at least 2 characters; "
            "identity and phone numbers in them are masked and never match)",
        ),
    ] = None,
) -> Page[CaseSummary]:
    for name, moment in (("received_from", received_from), ("received_to", received_to)):
        if moment is not None and moment.tzinfo is None:
            raise ValidationFailed.of_field(
                f"query.{name}", "give a time zone offset", "naive_datetime"
            )
    return await queries.list_cases(
        session,
        actor=actor,
        cursor=cursor,
        limit=limit,
        status=status,
        channel=channel,
        business_system=business_system,
        respondent_agency_id=respondent_agency_id,
        priority=priority,
        received_from=received_from,
        received_to=received_to,
        deadline_warning=deadline_warning,
        text=q.strip() if q else None,
    )


@router.get(
    "/{case_id}",
    summary="Read a case; `?reveal=pii` shows personal data in clear (coordinator, supervisor)",
    operation_id="get_case",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def get_case(
    case_id: uuid.UUID,
    session: SessionDep,
    actor: CurrentActor,
    cipher: CipherDep,
    response: Response,
    reveal: Annotated[Literal["pii"] | None, Query(description="`pii` to show it in clear")] = None,
) -> CaseOut:
    found = await queries.read_case(session, actor=actor, case_id=case_id)
    case = found.case
    if reveal == "pii":
        queries.ensure_may_reveal(session, actor, case)
    response.headers["ETag"] = queries.etag(case)
    return await queries.case_view(
        session, actor=actor, case=case, cipher=cipher, reveal=reveal == "pii", read=found
    )


@router.patch(
    "/{case_id}",
    summary="Correct a case while it is `received` (If-Match required)",
    operation_id="correct_case",
    responses={**WRITE_ERRORS, **problem_responses(404, 409, 412, 428)},
)
async def correct_case(
    case_id: uuid.UUID,
    body: CasePatch,
    session: SessionDep,
    actor: Intaker,
    cipher: CipherDep,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
) -> CaseOut:
    case = await queries.get_visible_case(session, actor=actor, case_id=case_id, for_update=True)
    if if_match is None:
        raise PreconditionRequired("send If-Match with the case's ETag", code="if_match_required")
    # "*" matches any current version (RFC 9110 §13.1.1).
    if if_match.strip() not in ("*", queries.etag(case), f"W/{queries.etag(case)}"):
        raise PreconditionFailed(
            "the case has changed since you read it; read it again", code="etag_mismatch"
        )
    case = await intake.correct_case(session, actor=actor, case=case, patch=body, cipher=cipher)
    response.headers["ETag"] = queries.etag(case)
    return await queries.case_view(session, actor=actor, case=case, cipher=cipher)


@router.get(
    "/{case_id}/events",
    summary="The case's timeline",
    operation_id="list_case_events",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def list_case_events(
    case_id: uuid.UUID,
    session: SessionDep,
    actor: CurrentActor,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CaseEventOut]:
    return await queries.timeline(session, actor=actor, case_id=case_id, cursor=cursor, limit=limit)


@router.post(
    "/{case_id}/deadline-notice",
    summary="Record that and how the applicant was told the remedy deadlines (center)",
    description="Periods that run from being told (a remedy the organ never explained, "
    "复议法 art. 20(3), 行诉解释 art. 64) are counted from this day on, still capped at one "
    "year from `act.known_on`. Only while the case is open.",
    operation_id="record_deadline_notice",
    responses={**WRITE_ERRORS, **problem_responses(404, 409)},
)
async def record_deadline_notice(
    case_id: uuid.UUID,
    body: DeadlineNoticeIn,
    session: SessionDep,
    actor: CurrentActor,
    cipher: CipherDep,
    response: Response,
) -> CaseOut:
    case = await deadline_refresh.record_deadline_notice(
        session, actor=actor, case_id=case_id, data=body
    )
    response.headers["ETag"] = queries.etag(case)
    return await queries.case_view(session, actor=actor, case=case, cipher=cipher)
