"""Queries on agencies, lawyers and their leave."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db import fast_read
from app.db.models import Agency, Lawyer, LawyerSpecialty, LawyerUnavailability
from app.db.repositories.paging import Key, KeysetPage, read_page


async def get_agency(
    session: AsyncSession, agency_id: uuid.UUID, *, for_update: bool = False
) -> Agency | None:
    if not for_update:
        return await session.get(Agency, agency_id)  # the identity map first
    stmt = (
        select(Agency)
        .where(Agency.id == agency_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_agency_kinds(
    session: AsyncSession, agency_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The kind of each of these agencies that exists and is active."""
    rows = await fast_read.fetch(
        session, "SELECT id, kind FROM agencies WHERE id = ANY($1::uuid[]) AND active", agency_ids
    )
    if rows is None:
        connection = await session.connection()
        rows = list(await connection.execute(_ACTIVE_AGENCY_KINDS, {"ids": list(agency_ids)}))
    return {row[0]: row[1] for row in rows}


_ACTIVE_AGENCY_KINDS = select(Agency.id, Agency.kind).where(
    Agency.id.in_(bindparam("ids", expanding=True)), Agency.active
)


async def agency_name_taken(
    session: AsyncSession, name: str, *, except_id: uuid.UUID | None = None
) -> bool:
    stmt = select(Agency.id).where(Agency.name == name)
    if except_id is not None:
        stmt = stmt.where(Agency.id != except_id)
    return (await session.execute(stmt)).first() is not None


async def agency_credit_code_taken(
    session: AsyncSession, credit_code: str, *, except_id: uuid.UUID | None = None
) -> bool:
    stmt = select(Agency.id).where(Agency.credit_code == credit_code)
    if except_id is not None:
        stmt = stmt.where(Agency.id != except_id)
    return (await session.execute(stmt)).first() is not None


async def list_agencies(
    session: AsyncSession,
    *,
    after: Key | None,
    limit: int,
    kind: str | None = None,
    level: str | None = None,
    region_code: str | None = None,
    business_system: str | None = None,
    active: bool | None = None,
) -> KeysetPage[Agency]:
    stmt = select(Agency)
    for column, value in (
        (Agency.kind, kind),
        (Agency.level, level),
        (Agency.region_code, region_code),
        (Agency.business_system, business_system),
        (Agency.active, active),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return await read_page(session, stmt, (Agency.id,), after=after, limit=limit)


def _lawyer_query() -> Select[Lawyer]:
    return select(Lawyer).options(selectinload(Lawyer.specialties))


async def get_lawyer(
    session: AsyncSession, lawyer_id: uuid.UUID, *, for_update: bool = False
) -> Lawyer | None:
    stmt = _lawyer_query().where(Lawyer.id == lawyer_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def certificate_no_taken(
    session: AsyncSession, certificate_no: str, *, except_id: uuid.UUID | None = None
) -> bool:
    stmt = select(Lawyer.id).where(Lawyer.certificate_no == certificate_no)
    if except_id is not None:
        stmt = stmt.where(Lawyer.id != except_id)
    return (await session.execute(stmt)).first() is not None


async def list_lawyers(
    session: AsyncSession,
    *,
    after: Key | None,
    limit: int,
    agency_id: uuid.UUID | None = None,
    lawyer_id: uuid.UUID | None = None,
    specialty: str | None = None,
    certificate_status: str | None = None,
    active: bool | None = None,
    condition: ColumnElement[bool] | None = None,
) -> KeysetPage[Lawyer]:
    stmt = _lawyer_query()
    if condition is not None:
        stmt = stmt.where(condition)
    for column, value in (
        (Lawyer.agency_id, agency_id),
        (Lawyer.id, lawyer_id),
        (Lawyer.certificate_status, certificate_status),
        (Lawyer.active, active),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if specialty is not None:
        stmt = stmt.where(
            Lawyer.id.in_(
                select(LawyerSpecialty.lawyer_id).where(
                    LawyerSpecialty.business_system == specialty
                )
            )
        )
    return await read_page(session, stmt, (Lawyer.id,), after=after, limit=limit)


async def unavailability_page(
    session: AsyncSession, lawyer_id: uuid.UUID, *, after: Key | None, limit: int
) -> KeysetPage[LawyerUnavailability]:
    """Leave periods by start date."""
    stmt = select(LawyerUnavailability).where(LawyerUnavailability.lawyer_id == lawyer_id)
    key = (LawyerUnavailability.from_date, LawyerUnavailability.id)
    return await read_page(session, stmt, key, after=after, limit=limit)
