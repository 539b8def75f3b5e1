"""The official working-day calendar of a year (SPEC 2.5): read by anyone signed in, loaded
by an admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Request, Response

from app.api.deps import AdminActor, CurrentActor, SessionDep
from app.api.openapi_docs import AUTH_ERRORS, WRITE_ERRORS, problem_responses
from app.db.session import Database
from app.domain.calendar import service
from app.domain.calendar.schemas import MAX_YEAR, MIN_YEAR, CalendarYearIn, CalendarYearOut
from app.domain.cases.deadline_refresh import recompute_open_cases

router = APIRouter(prefix="/calendar", tags=["calendar"])
Year = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR, description="A calendar year")]


@router.get(
    "/{year}",
    summary="A year's public holidays and make-up working weekends",
    description="404 `calendar_year_not_loaded` for a year whose notice is not loaded yet: "
    "its deadlines count weekends only and are shown as provisional.",
    operation_id="get_calendar_year",
    responses={**AUTH_ERRORS, **problem_responses(404, 422)},
)
async def get_calendar_year(
    year: Year, session: SessionDep, actor: CurrentActor
) -> CalendarYearOut:
    return CalendarYearOut.model_validate(await service.get_year(session, year))


@router.put(
    "/{year}",
    summary="Load a year's official calendar (admin); open cases' deadlines are recomputed",
    description="Replaces the year's holidays and make-up working weekends (调休) with those of "
    "the State Council General Office's notice. Every date must lie in that year, none twice; "
    "a make-up working day is a Saturday or Sunday and not also a holiday (422 otherwise). "
    "After the commit, the stored due dates of every open case (what the `deadline_warning` "
    "filter reads) are recounted in batches of 500 cases; the deadlines a case shows are "
    "counted with the new calendar at once. 201 when the year is new, 200 when replaced.",
    operation_id="put_calendar_year",
    status_code=200,
    responses={**WRITE_ERRORS, 201: {"description": "The year was loaded for the first time"}},
)
async def put_calendar_year(
    year: Year,
    body: CalendarYearIn,
    session: SessionDep,
    actor: AdminActor,
    request: Request,
    response: Response,
    background: BackgroundTasks,
) -> CalendarYearOut:
    row, created = await service.load_year(session, actor=actor, year=year, data=body)
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/api/v1/calendar/{year}"
    # Runs after the request's transaction has committed (the session dependency commits
    # before the response is sent), so every batch counts with the new year.
    database: Database = request.app.state.db
    background.add_task(recompute_open_cases, database.sessionmaker)
    return CalendarYearOut.model_validate(row)
