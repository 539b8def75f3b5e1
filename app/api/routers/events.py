"""The feed of events (SPEC 2.16): admin, center coordinator, supervisor (and API keys with
those roles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.deps import Limit, SessionDep, require_roles
from app.api.openapi_docs import AUTH_ERRORS, problem_responses
from app.domain.auth.actor import Actor
from app.domain.events import feed
from app.domain.events.schemas import EventPage
from app.states.codes import EventType, Role

router = APIRouter(prefix="/events", tags=["events"])
FeedReader = Annotated[
    Actor, Depends(require_roles(Role.ADMIN, Role.CENTER_COORDINATOR, Role.SUPERVISOR))
]


@router.get(
    "",
    summary="Every committed event once, in one stable order; follow `next_cursor`",
    description=(
        "Start without `after` to read from the first event; pass the `next_cursor` of each "
        "answer as `after` to read on. `next_cursor` is given also at the end of the feed: "
        "keep it (it survives restarts) and poll with it. `has_more` says whether more "
        "events are ready now. An event that commits late is never skipped."
    ),
    operation_id="list_events",
    responses={**AUTH_ERRORS, **problem_responses(422)},
)
async def list_events(
    session: SessionDep,
    actor: FeedReader,
    after: Annotated[
        str | None,
        Query(
            max_length=512,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="Opaque cursor: the `next_cursor` of the previous page",
        ),
    ] = None,
    types: Annotated[
        list[EventType] | None,
        Query(description="Only these types (repeat the parameter for several)"),
    ] = None,
    limit: Limit = 50,
) -> EventPage:
    return await feed.read_page(session, cursor=after, types=types, limit=limit)
