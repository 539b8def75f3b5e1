"""A public lawyer's work archive for a year (工作档案, SPEC 2.12; Art. 15), computed from the
records every time — never a second copy that could drift from them.

Readable by the lawyer, their agency's officers, the center, the supervisor and admin: the
lawyer's own visibility (404 for anyone else, SPEC 4.2).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import archive as repo
from app.db.repositories import registry as registry_repo
from app.domain.activities.schemas import ActivityOut
from app.domain.archive.figures import (
    DEFINITIONS,
    activity_figures,
    case_figures,
    case_list,
    offer_figures,
)
from app.domain.archive.schemas import (
    ArchiveHonourFigures,
    ArchiveLawyer,
    ArchiveMembership,
    ArchiveOut,
)
from app.domain.auth.actor import Actor
from app.domain.registry.lawyers import get_visible_lawyer
from app.domain.statistics.definitions import Period

NOT_YET_RECORDED = (
    "typical-case selections (SPEC 2.13) and honours (SPEC 2.14) are not recorded by this "
    "version of the service: typical_selected and the honours are 0"
)


async def lawyer_archive(
    session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID, year: int
) -> ArchiveOut:
    lawyer = await get_visible_lawyer(session, actor=actor, lawyer_id=lawyer_id)
    agency = await registry_repo.get_agency(session, lawyer.agency_id)
    period = Period(year)
    offers = await repo.offers_of(session, lawyer_id=lawyer.id, start=period.start, end=period.end)
    listed = case_list(offers, lawyer.id)
    activities = await repo.confirmed_activities_of(
        session, lawyer_id=lawyer.id, first_day=period.first_day, last_day=period.last_day
    )
    memberships = await repo.memberships_of(session, lawyer_id=lawyer.id, year=year)
    return ArchiveOut(
        lawyer=ArchiveLawyer(
            id=lawyer.id,
            name=lawyer.name,
            agency_id=lawyer.agency_id,
            agency_name=agency.name if agency else "",
        ),
        year=year,
        period_from=period.first_day,
        period_to=period.last_day,
        pool=[ArchiveMembership.model_validate(m) for m in memberships],
        offers=offer_figures(offers),
        cases=case_figures(listed),
        activities=activity_figures(activities),
        honours=ArchiveHonourFigures(in_year=0, all_time=0),
        case_list=listed,
        activity_list=[ActivityOut.model_validate(a) for a in activities],
        notes=[NOT_YET_RECORDED],
        definitions=DEFINITIONS,
    )
