"""Public lawyers (公职律师, SPEC 2.3): registration, certificates, leave."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc, today_shanghai
from app.db.models import Lawyer, LawyerSpecialty, LawyerUnavailability
from app.db.repositories import pool as pool_repo
from app.db.repositories import registry as repo
from app.db.session import flush_unique
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.common.crypto import FieldCipher
from app.domain.common.masking import mask_phone
from app.domain.events.subjects import certificate_changed
from app.domain.paging import BY_ID, BY_START, Page
from app.domain.pool.transition import move_membership
from app.domain.registry import access, honoured
from app.domain.registry.agencies import ensure_business_systems_exist, get_agency
from app.domain.registry.schemas import (
    CertificateStatusIn,
    LawyerIn,
    LawyerOut,
    LawyerPatch,
    UnavailabilityIn,
    UnavailabilityOut,
    lawyer_out,
)
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.states.codes import CertificateStatus, MembershipStatus

PHONE_FIELD = "lawyer.phone"
MAX_LEAVE_DAYS = 366


def _seal_phone(lawyer: Lawyer, phone: str | None, cipher: FieldCipher) -> None:
    lawyer.phone_sealed = cipher.encrypt(phone, field=PHONE_FIELD) if phone else None
    lawyer.phone_masked = mask_phone(phone) if phone else None


def _set_specialties(lawyer: Lawyer, codes: list[str]) -> None:
    lawyer.specialties = [LawyerSpecialty(business_system=c) for c in sorted(set(codes))]


async def get_visible_lawyer(
    session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID, for_update: bool = False
) -> Lawyer:
    """The lawyer, or 404 when it does not exist or the actor may not see it."""
    lawyer = await repo.get_lawyer(session, lawyer_id, for_update=for_update)
    if lawyer is None or not access.can_read_lawyer(
        actor, lawyer_id=lawyer.id, agency_id=lawyer.agency_id
    ):
        raise NotFound("no such lawyer")
    return lawyer


async def create_lawyer(
    session: AsyncSession, *, actor: Actor, data: LawyerIn, cipher: FieldCipher
) -> Lawyer:
    if not access.can_manage_lawyer(actor, agency_id=data.agency_id):
        raise Forbidden(
            "an agency officer registers its own agency's lawyers", code="not_own_agency"
        )
    agency = await get_agency(session, data.agency_id)
    specialties = data.specialties or [agency.business_system]
    await ensure_business_systems_exist(session, specialties, field="specialties", indexed=True)
    if await repo.certificate_no_taken(session, data.certificate_no):
        raise Conflict(
            "a lawyer with this certificate number exists", code="duplicate_certificate_no"
        )
    lawyer = Lawyer(
        name=data.name,
        agency_id=agency.id,
        certificate_no=data.certificate_no,
        certificate_issued_on=data.certificate_issued_on,
        certificate_status=CertificateStatus.ACTIVE.value,
        active=data.active,
    )
    _set_specialties(lawyer, specialties)
    _seal_phone(lawyer, data.phone, cipher)
    if not await flush_unique(session, lawyer):
        raise Conflict(
            "a lawyer with this certificate number exists", code="duplicate_certificate_no"
        )
    audit.record(
        session,
        actor=actor,
        action="lawyer.create",
        object_type="lawyer",
        object_id=lawyer.id,
        changes=data.model_dump(mode="json"),
    )
    return lawyer


async def update_lawyer(
    session: AsyncSession,
    *,
    actor: Actor,
    lawyer_id: uuid.UUID,
    patch: LawyerPatch,
    cipher: FieldCipher,
) -> Lawyer:
    lawyer = await get_visible_lawyer(session, actor=actor, lawyer_id=lawyer_id, for_update=True)
    if not access.can_manage_lawyer(actor, agency_id=lawyer.agency_id):
        raise Forbidden("you may not change this lawyer", code="not_own_agency")
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
    for required in ("name", "agency_id", "certificate_no", "certificate_issued_on", "active"):
        if required in changes and changes[required] is None:
            raise ValidationFailed.of_field(required, "may not be null", "null_not_allowed")
    if "agency_id" in changes and changes["agency_id"] != lawyer.agency_id:
        if not access.can_manage_lawyer(actor, agency_id=changes["agency_id"]):
            raise Forbidden(
                "only the bureau moves a lawyer to another agency", code="not_own_agency"
            )
        await get_agency(session, changes["agency_id"])
    if "certificate_no" in changes and await repo.certificate_no_taken(
        session, changes["certificate_no"], except_id=lawyer.id
    ):
        raise Conflict(
            "a lawyer with this certificate number exists", code="duplicate_certificate_no"
        )
    if "specialties" in changes:
        specialties = changes.pop("specialties")
        if specialties is None:  # back to the default, as at registration
            agency_id = changes.get("agency_id", lawyer.agency_id)
            specialties = [(await get_agency(session, agency_id)).business_system]
        await ensure_business_systems_exist(session, specialties, field="specialties", indexed=True)
        _set_specialties(lawyer, specialties)
    if "phone" in changes:
        _seal_phone(lawyer, changes.pop("phone"), cipher)
    for field, value in changes.items():
        setattr(lawyer, field, value)
    lawyer.updated_at = now_utc()
    if not await flush_unique(session):
        raise Conflict(
            "a lawyer with this certificate number exists", code="duplicate_certificate_no"
        )
    audit.record(
        session,
        actor=actor,
        action="lawyer.update",
        object_type="lawyer",
        object_id=lawyer.id,
        changes=patch.model_dump(mode="json", exclude_unset=True),
    )
    return lawyer


async def set_certificate_status(
    session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID, data: CertificateStatusIn
) -> Lawyer:
    """Supervisor or admin (router). A certificate that is no longer active withdraws the
    lawyer's live pool memberships for this year and later, in the same transaction: an
    unlicensed lawyer must not be dispatched (Art. 2, 4)."""
    lawyer = await get_visible_lawyer(session, actor=actor, lawyer_id=lawyer_id, for_update=True)
    previous = lawyer.certificate_status
    now = now_utc()
    lawyer.certificate_status = data.status
    lawyer.certificate_status_reason = data.reason
    lawyer.certificate_status_changed_at = now
    await session.flush()
    if previous != lawyer.certificate_status:
        certificate_changed(session, await honoured.lawyer_view(session, lawyer))
    withdrawn: list[str] = []
    if data.status is not CertificateStatus.ACTIVE:
        this_year = today_shanghai().year
        for membership in await pool_repo.live_for_lawyer(session, lawyer_id=lawyer.id):
            if membership.year < this_year:
                continue
            reason = f"certificate {data.status.value}: {data.reason}"[:500]
            await move_membership(
                session, membership, MembershipStatus.WITHDRAWN, actor=actor, reason=reason
            )
            withdrawn.append(str(membership.id))
    audit.record(
        session,
        actor=actor,
        action="lawyer.certificate_status",
        object_type="lawyer",
        object_id=lawyer.id,
        changes={
            "from": previous,
            "to": data.status.value,
            "reason": data.reason,
            "withdrawn_memberships": withdrawn,
        },
    )
    return lawyer


async def add_unavailability(
    session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID, data: UnavailabilityIn
) -> LawyerUnavailability:
    lawyer = await get_visible_lawyer(session, actor=actor, lawyer_id=lawyer_id)
    if not access.can_record_leave(actor, lawyer_id=lawyer.id, agency_id=lawyer.agency_id):
        raise Forbidden("you may not record this lawyer's leave", code="not_allowed")
    if data.to_date < data.from_date:
        raise ValidationFailed.of_field(
            "to_date", "must not be before from_date", "period_reversed"
        )
    if (data.to_date - data.from_date).days >= MAX_LEAVE_DAYS:
        raise ValidationFailed.of_field(
            "to_date", f"a leave period is at most {MAX_LEAVE_DAYS} days", "period_too_long"
        )
    period = LawyerUnavailability(lawyer_id=lawyer.id, created_by=actor.sub, **data.model_dump())
    session.add(period)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="lawyer.unavailability.add",
        object_type="lawyer",
        object_id=lawyer.id,
        changes=data.model_dump(mode="json"),
    )
    return period


async def list_unavailability(
    session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID, cursor: str | None, limit: int
) -> Page[UnavailabilityOut]:
    """A page of a lawyer's leave periods, by start date, for whoever may see the lawyer."""
    after = BY_START.decode(cursor)
    lawyer = await get_visible_lawyer(session, actor=actor, lawyer_id=lawyer_id)
    found = await repo.unavailability_page(session, lawyer.id, after=after, limit=limit)
    return BY_START.page(found, UnavailabilityOut.model_validate)


async def list_lawyers(
    session: AsyncSession,
    *,
    actor: Actor,
    cursor: str | None,
    limit: int,
    agency_id: uuid.UUID | None = None,
    specialty: str | None = None,
    certificate_status: str | None = None,
    active: bool | None = None,
    repeat_honouree: bool | None = None,
) -> Page[LawyerOut]:
    """A page of the lawyers the actor may see: an agency officer its own, a lawyer
    themself, everyone else all."""
    scope_agency, scope_lawyer = access.lawyer_scope(actor)
    if scope_agency is not None and agency_id not in (None, scope_agency):
        return Page(items=[])
    found = await repo.list_lawyers(
        session,
        after=BY_ID.decode(cursor),
        limit=limit,
        agency_id=scope_agency or agency_id,
        lawyer_id=scope_lawyer,
        specialty=specialty,
        certificate_status=certificate_status,
        active=active,
        condition=None
        if repeat_honouree is None
        else await honoured.repeat_condition(session, repeat_honouree),
    )
    repeat = await honoured.repeat_honourees(session, [lawyer.id for lawyer in found.rows])
    return BY_ID.page(found, lambda lawyer: lawyer_out(lawyer, repeat_honouree=lawyer.id in repeat))


def in_active_service(lawyer: Lawyer) -> bool:
    """Registered (active) with an active certificate: may be dispatched and answer."""
    return lawyer.active and lawyer.certificate_status == CertificateStatus.ACTIVE.value


async def ensure_in_active_service(session: AsyncSession, lawyer_id: uuid.UUID) -> None:
    """409 ``lawyer_not_active`` for a lawyer whose certificate is suspended or revoked, or
    who was deactivated: they can no longer answer offers or record outcomes (SPEC 2.7)."""
    lawyer = await repo.get_lawyer(session, lawyer_id)
    if lawyer is None or not in_active_service(lawyer):
        raise Conflict(
            "the lawyer is not in active service (certificate or registration)",
            code="lawyer_not_active",
        )
