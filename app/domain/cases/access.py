"""Who may see and act on which cases (SPEC 4.2)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select

from app.db.models import Case
from app.db.repositories import assignments as assignments_repo
from app.domain.auth.actor import Actor
from app.states.codes import Role

READ_ALL = (Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR)
INTAKE_ROLES = (Role.ADMIN, Role.CENTER_COORDINATOR, Role.AGENCY_OFFICER)
CENTER_ROLES = (Role.ADMIN, Role.CENTER_COORDINATOR)
REVEAL_ROLES = (Role.CENTER_COORDINATOR, Role.SUPERVISOR)


def can_read_case(actor: Actor, case: Case, *, holds_assignment: bool) -> bool:
    if actor.role in READ_ALL:
        return True
    if actor.role is Role.AGENCY_OFFICER:
        return actor.agency_id in (case.respondent_agency_id, case.intake_agency_id)
    return actor.role is Role.LAWYER and holds_assignment


def visibility_scope(actor: Actor) -> tuple[uuid.UUID | None, Select[uuid.UUID] | None]:
    """(agency, held cases) that lists and look-ups must be narrowed to for this actor."""
    if actor.role is Role.AGENCY_OFFICER:
        return actor.agency_id, None
    if actor.role is Role.LAWYER and actor.lawyer_id is not None:
        return None, assignments_repo.case_ids_of_lawyer(actor.lawyer_id)
    return None, None
