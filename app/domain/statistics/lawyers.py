"""The public-lawyer corps per agency for a year (SPEC 2.15; Art. 16, 19)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import activities as activities_repo
from app.db.repositories import statistics as repo
from app.db.repositories.statistics import LawyerScope
from app.domain.auth.actor import Actor
from app.domain.statistics.cases import ensure_known_business_system
from app.domain.statistics.definitions import (
    LAWYER_DEFINITIONS,
    Period,
)
from app.domain.statistics.schemas import (
    AgencyLawyerFigures,
    AgencyLawyerRow,
    LawyerFilters,
    LawyerStatisticsOut,
)
from app.errors import Forbidden, NotFound
from app.states.codes import Role

_FIGURES = ("active_at_year_end", "new_in_year", "pool_members", "cases_presided")


def lawyer_scope(actor: Actor, filters: LawyerFilters) -> LawyerScope:
    """An officer reads its own agency, a lawyer themself (SPEC 4.2): another agency named
    in the filter is seen (agencies are public) but not allowed, 403."""
    agency_id = filters.agency_id
    if actor.role is Role.AGENCY_OFFICER:
        if actor.agency_id is None:
            raise Forbidden("an agency officer needs an agency", code="agency_required")
        if agency_id not in (None, actor.agency_id):
            raise Forbidden(
                "an agency officer reads its own agency's statistics", code="not_own_agency"
            )
        return LawyerScope(actor.agency_id, None, filters.business_system)
    if actor.role is Role.LAWYER:
        if actor.lawyer_id is None:
            raise Forbidden("a lawyer's credentials name no lawyer", code="lawyer_required")
        return LawyerScope(agency_id, actor.lawyer_id, filters.business_system)
    return LawyerScope(agency_id, None, filters.business_system)


async def lawyer_statistics(
    session: AsyncSession, *, actor: Actor, year: int, filters: LawyerFilters
) -> LawyerStatisticsOut:
    agencies = await repo.agencies(session)
    await ensure_known_business_system(session, filters.business_system)
    if filters.agency_id is not None and filters.agency_id not in agencies:
        raise NotFound("no such agency", code="agency_not_found")
    scope = lawyer_scope(actor, filters)
    period = Period(year)
    rows: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_FIGURES, 0))
    for agency_id, active, new in await repo.lawyer_counts(
        session, scope=scope, first_day=period.first_day, last_day=period.last_day, end=period.end
    ):
        rows[agency_id]["active_at_year_end"] = active
        rows[agency_id]["new_in_year"] = new
    for agency_id, n in await repo.pool_members(session, scope=scope, year=year):
        rows[agency_id]["pool_members"] = n
    for agency_id, n in await repo.cases_presided(
        session, scope=scope, start=period.start, end=period.end
    ):
        rows[agency_id]["cases_presided"] = n
    kinds: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    hours: dict[uuid.UUID, float] = defaultdict(float)
    in_year = {"first_day": period.first_day, "last_day": period.last_day}
    for agency_id, kind, n in await activities_repo.kinds_per_agency(
        session, lawyer_conditions=scope.conditions(), **in_year
    ):
        kinds[agency_id][kind.value] = n
        # An agency whose lawyers only have activities in the year still gets its row.
        rows.setdefault(agency_id, dict.fromkeys(_FIGURES, 0))
    for agency_id, total in await activities_repo.training_hours_per_agency(
        session, lawyer_conditions=scope.conditions(), **in_year
    ):
        hours[agency_id] = total
    ordered = sorted(rows, key=lambda a: (agencies[a].region_code, agencies[a].name))
    all_kinds: dict[str, int] = defaultdict(int)
    for per_agency in kinds.values():
        for code, n in per_agency.items():
            all_kinds[code] += n
    return LawyerStatisticsOut(
        year=year,
        period_from=period.first_day,
        period_to=period.last_day,
        filters=filters,
        total=AgencyLawyerFigures(
            **{name: sum(r[name] for r in rows.values()) for name in _FIGURES},
            activities_by_kind=dict(all_kinds),
            training_hours=sum(hours.values()),
        ),
        agencies=[
            AgencyLawyerRow(
                agency_id=a,
                agency_name=agencies[a].name,
                region_code=agencies[a].region_code,
                activities_by_kind=kinds[a],
                training_hours=hours[a],
                **rows[a],
            )
            for a in ordered
        ],
        notes=[],
        definitions=LAWYER_DEFINITIONS,
    )
