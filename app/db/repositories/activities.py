"""Queries on recorded activities (SPEC 2.11)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Activity, ActivityLawyer, Agency, Lawyer
from app.db.repositories.paging import Key, KeysetPage, read_page
from app.states.codes import ActivityKind, ActivityStatus, AgencyKind


@dataclass(frozen=True)
class ActivityFilters:
    lawyer_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None
    kind: ActivityKind | None = None
    status: ActivityStatus | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None


async def get(
    session: AsyncSession, activity_id: uuid.UUID, *, for_update: bool = False
) -> Activity | None:
    stmt = select(Activity).where(Activity.id == activity_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def agencies_of_lawyers(
    session: AsyncSession, lawyer_ids: list[uuid.UUID], *, active_only: bool
) -> dict[uuid.UUID, uuid.UUID]:
    """The lawyers among ``lawyer_ids`` that exist (and are active), each with their agency."""
    stmt = select(Lawyer.id, Lawyer.agency_id).where(Lawyer.id.in_(lawyer_ids))
    if active_only:
        stmt = stmt.where(Lawyer.active)
    return {lawyer_id: agency_id for lawyer_id, agency_id in (await session.execute(stmt)).all()}


async def active_agency(session: AsyncSession, agency_id: uuid.UUID) -> Agency | None:
    agency = await session.get(Agency, agency_id)
    return agency if agency is not None and agency.active else None


async def reconciliation_centers(session: AsyncSession) -> list[uuid.UUID]:
    rows = await session.execute(
        select(Agency.id).where(Agency.kind == AgencyKind.RECONCILIATION_CENTER, Agency.active)
    )
    return list(rows.scalars())


def _credited_to(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The activity is credited to at least one lawyer matching ``condition``."""
    return exists().where(ActivityLawyer.activity_id == Activity.id, condition)


def visible_to(
    *, agency_id: uuid.UUID | None, lawyer_id: uuid.UUID | None
) -> ColumnElement[bool] | None:
    """An agency sees what it recorded and what is credited to its lawyers; a lawyer what
    is credited to them (SPEC 4.2: visibility as for lawyers). None: no narrowing."""
    if lawyer_id is not None:
        return _credited_to(ActivityLawyer.lawyer_id == lawyer_id)
    if agency_id is not None:
        of_agency = select(Lawyer.id).where(Lawyer.agency_id == agency_id)
        return or_(
            Activity.agency_id == agency_id, _credited_to(ActivityLawyer.lawyer_id.in_(of_agency))
        )
    return None


async def list_page(
    session: AsyncSession,
    *,
    filters: ActivityFilters,
    visibility: ColumnElement[bool] | None,
    after: Key | None,
    limit: int,
) -> KeysetPage[Activity]:
    conditions: list[ColumnElement[bool]] = []
    if visibility is not None:
        conditions.append(visibility)
    if filters.lawyer_id is not None:
        conditions.append(_credited_to(ActivityLawyer.lawyer_id == filters.lawyer_id))
    for column, value in (
        (Activity.agency_id, filters.agency_id),
        (Activity.kind, filters.kind),
        (Activity.status, filters.status),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.occurred_from is not None:
        conditions.append(Activity.occurred_on >= filters.occurred_from)
    if filters.occurred_to is not None:
        conditions.append(Activity.occurred_on <= filters.occurred_to)
    stmt = select(Activity).where(and_(True, *conditions))
    return await read_page(session, stmt, (Activity.id,), after=after, limit=limit)


# --- figures (statistics, archive) -----------------------------------------------------------


def _confirmed_in(first_day: date, last_day: date) -> list[ColumnElement[bool]]:
    return [
        Activity.status == ActivityStatus.CONFIRMED,
        Activity.occurred_on >= first_day,
        Activity.occurred_on <= last_day,
    ]


async def kinds_per_agency(
    session: AsyncSession,
    *,
    lawyer_conditions: list[ColumnElement[bool]],
    first_day: date,
    last_day: date,
) -> list[tuple[uuid.UUID, ActivityKind, int]]:
    """(lawyers' agency, kind, distinct confirmed activities crediting at least one of the
    agency's lawyers that match ``lawyer_conditions``) in the period."""
    stmt = (
        select(Lawyer.agency_id, Activity.kind, func.count(Activity.id.distinct()))
        .select_from(ActivityLawyer)
        .join(Activity, Activity.id == ActivityLawyer.activity_id)
        .join(Lawyer, Lawyer.id == ActivityLawyer.lawyer_id)
        .where(*_confirmed_in(first_day, last_day), *lawyer_conditions)
        .group_by(Lawyer.agency_id, Activity.kind)
    )
    rows = await session.execute(stmt)
    return [(agency, ActivityKind(kind), int(n)) for agency, kind, n in rows.all()]


async def training_hours_per_agency(
    session: AsyncSession,
    *,
    lawyer_conditions: list[ColumnElement[bool]],
    first_day: date,
    last_day: date,
) -> list[tuple[uuid.UUID, float]]:
    """(lawyers' agency, hours of confirmed training summed over its lawyers who took part)."""
    stmt = (
        select(Lawyer.agency_id, func.coalesce(func.sum(Activity.hours), 0))
        .select_from(ActivityLawyer)
        .join(Activity, Activity.id == ActivityLawyer.activity_id)
        .join(Lawyer, Lawyer.id == ActivityLawyer.lawyer_id)
        .where(
            *_confirmed_in(first_day, last_day),
            Activity.kind == ActivityKind.TRAINING,
            *lawyer_conditions,
        )
        .group_by(Lawyer.agency_id)
    )
    return [(agency, float(hours or 0)) for agency, hours in (await session.execute(stmt)).all()]
