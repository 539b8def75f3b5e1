"""Agencies (单位, SPEC 2.1): create, correct, list."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Agency
from app.db.repositories import reference as reference_repo
from app.db.repositories import registry as repo
from app.db.session import flush_unique
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.paging import BY_ID, Page
from app.domain.registry.rules import LIAOCHENG_REGION_CODES, region_fits_level
from app.domain.registry.schemas import AgencyIn, AgencyOut, AgencyPatch
from app.errors import Conflict, NotFound, ValidationFailed


async def ensure_business_systems_exist(
    session: AsyncSession, codes: list[str], *, field: str, indexed: bool = False
) -> None:
    """422 naming each unknown code (``specialties.1`` for lists)."""
    known = await reference_repo.business_systems_by_code(session)
    errors = [
        {
            "field": f"{field}.{i}" if indexed else field,
            "message": f"unknown business system {code!r}",
            "code": "unknown_business_system",
        }
        for i, code in enumerate(codes)
        if code not in known
    ]
    if errors:
        raise ValidationFailed("unknown business system", errors=errors)


def _check_region(region_code: str, level: str) -> None:
    if region_code not in LIAOCHENG_REGION_CODES:
        raise ValidationFailed.of_field(
            "region_code", f"{region_code} is not a Liaocheng division", "unknown_region_code"
        )
    if not region_fits_level(region_code, level):
        raise ValidationFailed.of_field(
            "region_code",
            f"a {level}-level agency cannot sit at {region_code}",
            "region_level_mismatch",
        )


async def _check_unique(
    session: AsyncSession, *, name: str | None, credit_code: str | None, except_id: uuid.UUID | None
) -> None:
    if name is not None and await repo.agency_name_taken(session, name, except_id=except_id):
        raise Conflict(f"an agency named {name} exists", code="duplicate_agency_name")
    if credit_code is not None and await repo.agency_credit_code_taken(
        session, credit_code, except_id=except_id
    ):
        raise Conflict("an agency with this credit code exists", code="duplicate_credit_code")


async def create_agency(session: AsyncSession, *, actor: Actor, data: AgencyIn) -> Agency:
    _check_region(data.region_code, data.level)
    await ensure_business_systems_exist(session, [data.business_system], field="business_system")
    await _check_unique(session, name=data.name, credit_code=data.credit_code, except_id=None)
    agency = Agency(**data.model_dump())
    if not await flush_unique(session, agency):
        # A parallel request stored the same name or code first: say which, as above.
        await _check_unique(session, name=data.name, credit_code=data.credit_code, except_id=None)
        raise Conflict("an agency with this name or credit code exists", code="duplicate_agency")
    audit.record(
        session,
        actor=actor,
        action="agency.create",
        object_type="agency",
        object_id=agency.id,
        changes=data.model_dump(mode="json"),
    )
    return agency


async def get_agency(session: AsyncSession, agency_id: uuid.UUID) -> Agency:
    agency = await repo.get_agency(session, agency_id)
    if agency is None:
        raise NotFound("no such agency")
    return agency


async def update_agency(
    session: AsyncSession, *, actor: Actor, agency_id: uuid.UUID, patch: AgencyPatch
) -> Agency:
    agency = await get_agency(session, agency_id)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    for required in ("name", "kind", "level", "region_code", "business_system", "active"):
        if required in changes and changes[required] is None:
            raise ValidationFailed.of_field(required, "may not be null", "null_not_allowed")
    _check_region(
        changes.get("region_code", agency.region_code), changes.get("level", agency.level)
    )
    if "business_system" in changes:
        await ensure_business_systems_exist(
            session, [changes["business_system"]], field="business_system"
        )
    await _check_unique(
        session,
        name=changes.get("name"),
        credit_code=changes.get("credit_code"),
        except_id=agency.id,
    )
    for field, value in changes.items():
        setattr(agency, field, value)
    if not await flush_unique(session):
        await _check_unique(
            session,
            name=changes.get("name"),
            credit_code=changes.get("credit_code"),
            except_id=agency.id,
        )
        raise Conflict("an agency with this name or credit code exists", code="duplicate_agency")
    audit.record(
        session,
        actor=actor,
        action="agency.update",
        object_type="agency",
        object_id=agency.id,
        changes=patch.model_dump(mode="json", exclude_unset=True),
    )
    return agency


async def list_agencies(
    session: AsyncSession,
    *,
    cursor: str | None,
    limit: int,
    kind: str | None = None,
    level: str | None = None,
    region_code: str | None = None,
    business_system: str | None = None,
    active: bool | None = None,
) -> Page[AgencyOut]:
    """A page of agencies; every caller sees them all."""
    found = await repo.list_agencies(
        session,
        after=BY_ID.decode(cursor),
        limit=limit,
        kind=kind,
        level=level,
        region_code=region_code,
        business_system=business_system,
        active=active,
    )
    return BY_ID.page(found, AgencyOut.model_validate)
