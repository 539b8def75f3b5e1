"""The feed of events (SPEC 2.16): admin, center coordinator, supervisor (and API keys with
those roles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.deps import Limit, SessionDep, require_roles
from app.api.openapi_docs import AUTH_ERRORS, problem_responses
from app.api.pagination import decode_cursor, encode_cursor
from app.domain.auth.actor import Actor
from app.domain.events import feed
from app.domain.events.schemas import EventPage, event_out
from app.errors import ValidationFailed
from app.states.codes import EventType, Role

router = APIRouter(prefix="/events", tags=["events"])
FeedReader = Annotated[
    Actor, Depends(require_roles(Role.ADMIN, Role.CENTER_COORDINATOR, Role.SUPERVISOR))
]


def _after(cursor: str | None) -> int:
    position = decode_cursor(cursor)
    if position is None:
        return 0
    value = position.get("p")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationFailed.of_field("query.after", "the cursor is not valid", "invalid_cursor")
    return value


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
    try:
        start = _after(after)
    except ValidationFailed:
        raise ValidationFailed.of_field(
            "query.after", "the cursor is not valid", "invalid_cursor"
        ) from None
    page = await feed.read(session, after=start, types=types, limit=limit)
    return EventPage(
        items=[event_out(e) for e in page.events],
        next_cursor=encode_cursor({"p": page.last_position}),
        has_more=page.has_more,
    )
