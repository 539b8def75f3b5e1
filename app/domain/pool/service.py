"""The annual mediator pool (和解调解员人才库, SPEC 2.4, Art. 10).

The quota (``pool_max_per_agency`` live memberships per agency per year) must hold when
several API processes take nominations at once. Every write that can add a live membership
first locks the agency's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
IMMEDIATE`` already serialises writers), then counts: two nominations for one agency are
decided one after the other, never both against the same stale count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import today_shanghai
from app.db.models import Lawyer, PoolMembership
from app.db.repositories import pool as repo
from app.db.repositories import registry as registry_repo
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.events.subjects import membership_changed
from app.domain.paging import BY_ID, Page
from app.domain.policy.service import policy_in_force
from app.domain.pool.rules import compliance_status, nomination_years
from app.domain.pool.schemas import ComplianceOut, ComplianceRow, MembershipOut
from app.domain.pool.transition import move_membership
from app.domain.registry.lawyers import get_visible_lawyer
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.states.codes import (
    ADMINISTRATIVE_ORGAN_KINDS,
    CertificateStatus,
    MembershipStatus,
    Role,
)
from app.states.membership import MEMBERSHIP_LIFECYCLE


def _check_year(year: int, *, field_name: str = "year") -> None:
    allowed = nomination_years(today_shanghai().year)
    if year not in allowed:
        raise ValidationFailed.of_field(
            field_name,
            f"nominations are accepted for {allowed[0]} and {allowed[1]} only",
            "year_out_of_range",
        )


async def _quota(session: AsyncSession, year: int) -> int:
    # The rules in force when the year's pool is used: from 1 January of that year, or today
    # if that is later (a nomination for next year follows the version that will apply).
    on = max(today_shanghai(), date(year, 1, 1))
    return (await policy_in_force(session, on=on)).version.pool_max_per_agency


def _refusal_for(lawyer: Lawyer) -> tuple[str, str] | None:
    if lawyer.certificate_status != CertificateStatus.ACTIVE.value:
        return "certificate_inactive", f"the lawyer's certificate is {lawyer.certificate_status}"
    if not lawyer.active:
        return "lawyer_inactive", "the lawyer is not active"
    return None


async def _admit(
    session: AsyncSession, *, actor: Actor, lawyer: Lawyer, year: int
) -> PoolMembership:
    """Add a nominated membership after the certificate, duplicate and quota checks, with the
    agency's row locked. Raises Conflict with a specific code when refused."""
    refusal = _refusal_for(lawyer)
    if refusal:
        raise Conflict(refusal[1], code=refusal[0])
    await registry_repo.get_agency(session, lawyer.agency_id, for_update=True)
    # Read the certificate again under the lawyer's lock: a suspension that committed while
    # this request waited for the agency must not be overtaken (lock order agency → lawyer).
    await session.refresh(lawyer, ["certificate_status", "active"], with_for_update=True)
    refusal = _refusal_for(lawyer)
    if refusal:
        raise Conflict(refusal[1], code=refusal[0])
    if any(m.year == year for m in await repo.live_for_lawyer(session, lawyer_id=lawyer.id)):
        raise Conflict(f"the lawyer is already in the {year} pool", code="already_in_pool")
    limit = await _quota(session, year)
    count = await repo.live_count(session, agency_id=lawyer.agency_id, year=year)
    if count >= limit:
        raise Conflict(
            f"the agency has {count} of {limit} pool places for {year} taken",
            code="pool_quota_exceeded",
            extra={"limit": limit, "count": count},
        )
    membership = PoolMembership(
        lawyer_id=lawyer.id,
        agency_id=lawyer.agency_id,
        year=year,
        status=MembershipStatus.NOMINATED.value,
        nominated_by=actor.sub,
    )
    session.add(membership)
    await session.flush()
    membership_changed(session, membership)
    audit.record(
        session,
        actor=actor,
        action="pool.nominate",
        object_type="pool_membership",
        object_id=membership.id,
        changes={"lawyer_id": lawyer.id, "year": year},
    )
    return membership


async def nominate(
    session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID, year: int
) -> PoolMembership:
    """An agency officer nominates its own agency's lawyer (admin: any)."""
    _check_year(year)
    lawyer = await get_visible_lawyer(session, actor=actor, lawyer_id=lawyer_id)
    if actor.role is Role.AGENCY_OFFICER and lawyer.agency_id != actor.agency_id:
        raise Forbidden("an agency nominates its own lawyers", code="not_own_agency")
    return await _admit(session, actor=actor, lawyer=lawyer, year=year)


def _visible(actor: Actor, membership: PoolMembership) -> bool:
    if actor.role in (Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR):
        return True
    if actor.role is Role.AGENCY_OFFICER:
        return membership.agency_id == actor.agency_id
    return actor.role is Role.LAWYER and membership.lawyer_id == actor.lawyer_id


async def get_visible(
    session: AsyncSession, *, actor: Actor, membership_id: uuid.UUID, for_update: bool = False
) -> PoolMembership:
    membership = await repo.get(session, membership_id, for_update=for_update)
    if membership is None or not _visible(actor, membership):
        raise NotFound("no such pool membership")
    return membership


async def list_memberships(
    session: AsyncSession,
    *,
    actor: Actor,
    cursor: str | None,
    limit: int,
    year: int | None = None,
    agency_id: uuid.UUID | None = None,
    status: str | None = None,
    lawyer_id: uuid.UUID | None = None,
) -> Page[MembershipOut]:
    """A page of the memberships the actor may see (as ``get_visible``): an agency officer
    its agency's, a lawyer their own; a filter for others' gives an empty page."""
    if actor.role is Role.AGENCY_OFFICER:
        if agency_id not in (None, actor.agency_id):
            return Page(items=[])
        agency_id = actor.agency_id
    if actor.role is Role.LAWYER:
        if lawyer_id not in (None, actor.lawyer_id):
            return Page(items=[])
        lawyer_id = actor.lawyer_id
    found = await repo.list_page(
        session,
        after=BY_ID.decode(cursor),
        limit=limit,
        year=year,
        agency_id=agency_id,
        status=status,
        lawyer_id=lawyer_id,
    )
    return BY_ID.page(found, MembershipOut.model_validate)


async def approve(
    session: AsyncSession, *, actor: Actor, membership_id: uuid.UUID, reason: str | None
) -> PoolMembership:
    membership = await get_visible(
        session, actor=actor, membership_id=membership_id, for_update=True
    )
    _require(membership, MembershipStatus.NOMINATED, "approve", MembershipStatus.APPROVED)
    lawyer = await registry_repo.get_lawyer(session, membership.lawyer_id)
    assert lawyer is not None  # a foreign key guarantees it
    refusal = _refusal_for(lawyer)
    if refusal:
        raise Conflict(refusal[1], code=refusal[0])
    return await _decide(session, actor, membership, MembershipStatus.APPROVED, reason)


async def reject(
    session: AsyncSession, *, actor: Actor, membership_id: uuid.UUID, reason: str | None
) -> PoolMembership:
    membership = await get_visible(
        session, actor=actor, membership_id=membership_id, for_update=True
    )
    return await _decide(session, actor, membership, MembershipStatus.REJECTED, reason)


async def withdraw(
    session: AsyncSession, *, actor: Actor, membership_id: uuid.UUID, reason: str | None
) -> PoolMembership:
    """The nominating agency or the center may withdraw a live membership."""
    membership = await get_visible(
        session, actor=actor, membership_id=membership_id, for_update=True
    )
    if actor.role not in (Role.ADMIN, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER):
        raise Forbidden(
            "only the agency or the center withdraws a membership", code="role_not_allowed"
        )
    return await _decide(session, actor, membership, MembershipStatus.WITHDRAWN, reason)


def _require(
    membership: PoolMembership, expected: MembershipStatus, verb: str, target: MembershipStatus
) -> None:
    # Approval is checked before the lawyer's standing, so that a decided membership is
    # answered 409 invalid_transition rather than with the lawyer's certificate.
    MEMBERSHIP_LIFECYCLE.require(
        MembershipStatus(membership.status), expected, verb=verb, target=target
    )


async def _decide(
    session: AsyncSession,
    actor: Actor,
    membership: PoolMembership,
    status: MembershipStatus,
    reason: str | None,
) -> PoolMembership:
    await move_membership(session, membership, status, actor=actor, reason=reason)
    return membership


async def compliance(session: AsyncSession, *, actor: Actor, year: int) -> ComplianceOut:
    """Every administrative organ's approved members for the year against the policy."""
    in_force = (await policy_in_force(session, on=max(today_shanghai(), date(year, 1, 1)))).version
    scope = actor.agency_id if actor.role is Role.AGENCY_OFFICER else None
    rows = await repo.compliance_counts(
        session, year=year, kinds=[k.value for k in ADMINISTRATIVE_ORGAN_KINDS], agency_id=scope
    )
    return ComplianceOut(
        year=year,
        pool_min_per_agency=in_force.pool_min_per_agency,
        pool_max_per_agency=in_force.pool_max_per_agency,
        items=[
            ComplianceRow(
                agency_id=agency.id,
                agency_name=agency.name,
                region_code=agency.region_code,
                business_system=agency.business_system,
                approved=approved,
                nominated=nominated,
                quota_used=approved + nominated,
                status=compliance_status(
                    approved,
                    minimum=in_force.pool_min_per_agency,
                    maximum=in_force.pool_max_per_agency,
                ),
            )
            for agency, approved, nominated in rows
        ],
    )


@dataclass
class RenewalReport:
    nominated: list[PoolMembership] = field(default_factory=list)
    skipped: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)


async def renew(
    session: AsyncSession,
    *,
    actor: Actor,
    from_year: int,
    to_year: int,
    agency_id: uuid.UUID | None,
) -> RenewalReport:
    """Nominate last year's approved members again for ``to_year``, each through the same
    checks as a single nomination; those refused are reported with the reason."""
    if to_year <= from_year:
        raise ValidationFailed.of_field("to_year", "must be after from_year", "year_order")
    _check_year(to_year, field_name="to_year")
    if actor.role is Role.AGENCY_OFFICER:
        if agency_id not in (None, actor.agency_id):
            raise Forbidden("an agency renews its own members", code="not_own_agency")
        agency_id = actor.agency_id
    report = RenewalReport()
    for previous in await repo.approved_in_year(session, year=from_year, agency_id=agency_id):
        lawyer = await registry_repo.get_lawyer(session, previous.lawyer_id)
        assert lawyer is not None
        if lawyer.agency_id != previous.agency_id:
            report.skipped.append((lawyer.id, previous.agency_id, "lawyer_moved_agency"))
            continue
        try:
            async with session.begin_nested():
                report.nominated.append(
                    await _admit(session, actor=actor, lawyer=lawyer, year=to_year)
                )
        except Conflict as refused:
            report.skipped.append((lawyer.id, lawyer.agency_id, refused.code))
    return report
