"""The rules of a recorded activity (SPEC 2.11) and who may do what with one (SPEC 4.2).

Pure: decisions over plain values; the service fetches what they need.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.domain.auth.actor import Actor
from app.errors import ValidationFailed
from app.states.codes import ActivityKind, MediationRole, Role, VenueType

# The measures took effect on 2022-02-01: nothing before is work under them.
EARLIEST_OCCURRED_ON = date(2022, 2, 1)

# The fact each kind cannot do without (SPEC 2.11).
_NEEDED_BY_KIND: dict[ActivityKind, str] = {
    ActivityKind.TRAINING: "hours",
    ActivityKind.OUTREACH: "venue_type",
    ActivityKind.RESEARCH: "publication",
    ActivityKind.ADMINISTRATIVE_MEDIATION: "role",
}

READ_ALL = (Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR)


@dataclass(frozen=True)
class ActivityFacts:
    """What a record says once a correction is merged in: the rules check the whole."""

    kind: ActivityKind
    occurred_on: date
    lawyer_ids: list[uuid.UUID]
    hours: float | None
    venue_type: VenueType | None
    publication: str | None
    role: MediationRole | None


def check_facts(facts: ActivityFacts, *, today: date) -> None:
    """422 naming the field for a record the measures cannot count."""
    if facts.occurred_on > today:
        raise ValidationFailed.of_field("occurred_on", "the day is in the future", "in_future")
    if facts.occurred_on < EARLIEST_OCCURRED_ON:
        raise ValidationFailed.of_field(
            "occurred_on",
            f"the measures apply from {EARLIEST_OCCURRED_ON.isoformat()}",
            "out_of_range",
        )
    if len(set(facts.lawyer_ids)) != len(facts.lawyer_ids):
        raise ValidationFailed.of_field(
            "lawyer_ids", "a lawyer is listed twice", "duplicate_lawyer"
        )
    needed = _NEEDED_BY_KIND.get(facts.kind)
    if needed is not None and getattr(facts, needed) in (None, ""):
        raise ValidationFailed.of_field(needed, f"{facts.kind.value} needs {needed}", "required")
    if facts.role is not None and facts.kind is not ActivityKind.ADMINISTRATIVE_MEDIATION:
        raise ValidationFailed.of_field(
            "role", "role is for administrative_mediation only", "not_for_kind"
        )


def may_read(
    actor: Actor,
    *,
    agency_id: uuid.UUID,
    lawyer_agencies: set[uuid.UUID],
    lawyer_ids: list[uuid.UUID],
) -> bool:
    """As for lawyers (SPEC 4.2): an agency sees what it recorded and what is credited to its
    lawyers; a lawyer what is credited to them."""
    if actor.role in READ_ALL:
        return True
    if actor.role is Role.AGENCY_OFFICER:
        return actor.agency_id == agency_id or actor.agency_id in lawyer_agencies
    return actor.role is Role.LAWYER and actor.lawyer_id in lawyer_ids


def may_decide(actor: Actor, *, agency_id: uuid.UUID) -> bool:
    """Confirm or return: the recording agency's officer, or admin."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.AGENCY_OFFICER and actor.agency_id == agency_id


def may_correct(
    actor: Actor, *, agency_id: uuid.UUID, recorded_by_lawyer_id: uuid.UUID | None
) -> bool:
    """Correct or withdraw: the lawyer who recorded it, the agency's officer, or admin."""
    if may_decide(actor, agency_id=agency_id):
        return True
    return (
        actor.role is Role.LAWYER
        and recorded_by_lawyer_id is not None
        and actor.lawyer_id == recorded_by_lawyer_id
    )


def confirmed_at_once(actor: Actor) -> bool:
    """An officer's or the center's own record needs no one else's confirmation."""
    return actor.role is not Role.LAWYER
