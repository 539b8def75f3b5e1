"""A lawyer leaving or returning to active service, and what it does to their dispatch work
(SPEC 2.7): a certificate suspended or revoked, or a registration deactivated, ends the
lawyer's live offers (``withdrawn``, the cases redispatched) and flags their accepted work
for the center to reassign; a certificate or registration restored clears the flags.

These are the use cases the HTTP edge calls for a certificate change and a lawyer update:
they sit above the registry (which they call) so that the registry never reaches up into
dispatch.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Lawyer
from app.db.repositories import assignments as repo
from app.db.repositories import cases as cases_repo
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.common.crypto import FieldCipher
from app.domain.dispatch import answers
from app.domain.registry import lawyers as registry
from app.domain.registry.lawyers import in_active_service
from app.domain.registry.schemas import CertificateStatusIn, LawyerPatch
from app.states.codes import AssignmentStatus

_LIVE = (AssignmentStatus.OFFERED.value, AssignmentStatus.CONFLICT_REPORTED.value)
_ACCEPTED = (AssignmentStatus.ACCEPTED.value,)


async def set_certificate_status(
    session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID, data: CertificateStatusIn
) -> Lawyer:
    """Change the certificate's status (registry), then the dispatch work that follows."""
    lawyer = await registry.set_certificate_status(
        session, actor=actor, lawyer_id=lawyer_id, data=data
    )
    await _follow_standing(session, actor=actor, lawyer=lawyer)
    return lawyer


async def update_lawyer(
    session: AsyncSession,
    *,
    actor: Actor,
    lawyer_id: uuid.UUID,
    patch: LawyerPatch,
    cipher: FieldCipher,
) -> Lawyer:
    """Update the lawyer (registry); a change of ``active`` moves their dispatch work."""
    lawyer = await registry.update_lawyer(
        session, actor=actor, lawyer_id=lawyer_id, patch=patch, cipher=cipher
    )
    if "active" in patch.model_fields_set:
        await _follow_standing(session, actor=actor, lawyer=lawyer)
    return lawyer


async def _follow_standing(session: AsyncSession, *, actor: Actor, lawyer: Lawyer) -> None:
    if in_active_service(lawyer):
        await _clear_reassignment(session, actor=actor, lawyer_id=lawyer.id)
    else:
        await _withdraw_live_offers(session, actor=actor, lawyer_id=lawyer.id)
        await _flag_accepted(session, actor=actor, lawyer_id=lawyer.id)


async def _withdraw_live_offers(
    session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID
) -> None:
    for candidate in await repo.of_lawyer(session, lawyer_id, statuses=_LIVE):
        # The service's lock order: the case, then the assignment; check again under lock.
        case = await cases_repo.get(session, candidate.case_id, for_update=True)
        assignment = await repo.get(session, candidate.id, for_update=True)
        if case is None or assignment is None or assignment.status not in _LIVE:
            continue
        assignment.withdraw_reason = "lawyer_not_active"
        await answers.end_offer(session, case, assignment, AssignmentStatus.WITHDRAWN, actor)


async def _flag_accepted(session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID) -> None:
    for assignment in await repo.of_lawyer(session, lawyer_id, statuses=_ACCEPTED):
        if assignment.needs_reassignment:
            continue
        assignment.needs_reassignment = True
        assignment.version += 1
        audit.record(
            session,
            actor=actor,
            action="assignment.needs_reassignment",
            object_type="assignment",
            object_id=assignment.id,
            changes={"case_id": assignment.case_id, "lawyer_id": lawyer_id},
        )
    await session.flush()


async def _clear_reassignment(session: AsyncSession, *, actor: Actor, lawyer_id: uuid.UUID) -> None:
    for assignment in await repo.of_lawyer(session, lawyer_id, statuses=_ACCEPTED):
        if not assignment.needs_reassignment:
            continue
        assignment.needs_reassignment = False
        assignment.version += 1
        audit.record(
            session,
            actor=actor,
            action="assignment.reassignment_cleared",
            object_type="assignment",
            object_id=assignment.id,
            changes={"case_id": assignment.case_id, "lawyer_id": lawyer_id},
        )
    await session.flush()
