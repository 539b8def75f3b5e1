"""Who may see and change which lawyers (SPEC 4.2). Pure: decisions over plain values."""

from __future__ import annotations

import uuid

from app.domain.auth.actor import Actor
from app.states.codes import Role

READ_ALL_LAWYERS = (Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR)


def can_read_lawyer(actor: Actor, *, lawyer_id: uuid.UUID, agency_id: uuid.UUID) -> bool:
    if actor.role in READ_ALL_LAWYERS:
        return True
    if actor.role is Role.AGENCY_OFFICER:
        return actor.agency_id == agency_id
    return actor.role is Role.LAWYER and actor.lawyer_id == lawyer_id


def can_manage_lawyer(actor: Actor, *, agency_id: uuid.UUID) -> bool:
    """Create and update: admin and supervisor for all, an agency officer for its own."""
    if actor.role in (Role.ADMIN, Role.SUPERVISOR):
        return True
    return actor.role is Role.AGENCY_OFFICER and actor.agency_id == agency_id


def can_record_leave(actor: Actor, *, lawyer_id: uuid.UUID, agency_id: uuid.UUID) -> bool:
    """Leave is known to the lawyer, their agency, and the center that dispatches them."""
    if actor.role in (Role.ADMIN, Role.CENTER_COORDINATOR):
        return True
    if actor.role is Role.AGENCY_OFFICER:
        return actor.agency_id == agency_id
    return actor.role is Role.LAWYER and actor.lawyer_id == lawyer_id


def lawyer_scope(actor: Actor) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """(agency_id, lawyer_id) a list of lawyers must be narrowed to for this actor."""
    if actor.role is Role.AGENCY_OFFICER:
        return actor.agency_id, None
    if actor.role is Role.LAWYER:
        return None, actor.lawyer_id
    return None, None
