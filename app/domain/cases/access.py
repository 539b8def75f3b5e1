"""Who may see and act on which cases (SPEC 4.2)."""

from __future__ import annotations

from app.db.models import Case
from app.domain.auth.actor import Actor
from app.domain.common.enums import Role

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
