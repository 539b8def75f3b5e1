"""Eligibility and ranking of mediators for a case (SPEC 2.7, Art. 9–10), as pure functions
over plain data: the same facts always give the same answer, and every answer says why.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from app.states.codes import DispatchRole, ExclusionReason

# Exclusions a coordinator may override with a recorded reason; all others never.
OVERRIDABLE = frozenset({ExclusionReason.SPECIALTY_MISMATCH, ExclusionReason.AT_CAPACITY})
NEVER_OVERRIDABLE = frozenset(
    {
        ExclusionReason.NOT_IN_POOL,
        ExclusionReason.CERTIFICATE_INACTIVE,
        ExclusionReason.CONFLICT_OF_INTEREST,
    }
)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    business_system: str | None
    respondent_agency_id: uuid.UUID
    respondent_region_code: str


class Lawyer(Protocol):
    """What the rules read of a lawyer. Dispatch hands them the rows it read as they are
    (``CandidateRow``: one per pool lawyer on every dispatch, so no copy is made of them)."""

    @property
    def lawyer_id(self) -> uuid.UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def agency_id(self) -> uuid.UUID: ...
    @property
    def region_code(self) -> str: ...
    @property
    def in_pool(self) -> bool: ...
    @property
    def certificate_active(self) -> bool: ...
    @property
    def specialties(self) -> Collection[str]: ...
    @property
    def open_assignments(self) -> int: ...
    @property
    def last_offered_at(self) -> datetime | None: ...
    @property
    def refused_this_case(self) -> bool: ...
    @property
    def assigned_to_case(self) -> bool: ...
    @property
    def unavailable_today(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class LawyerFacts:
    """A ``Lawyer`` built by hand (tests, examples)."""

    lawyer_id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    region_code: str
    in_pool: bool
    certificate_active: bool
    specialties: frozenset[str]
    open_assignments: int
    last_offered_at: datetime | None
    refused_this_case: bool
    assigned_to_case: bool
    unavailable_today: bool


@dataclass(frozen=True, slots=True)
class Assessment:
    lawyer: Lawyer
    exclusions: tuple[ExclusionReason, ...] = field(default=())

    @property
    def eligible(self) -> bool:
        return not self.exclusions

    def overridable(self) -> bool:
        """Whether a coordinator's reasoned override may set the exclusions aside."""
        return bool(self.exclusions) and all(e in OVERRIDABLE for e in self.exclusions)


def exclusions(
    lawyer: Lawyer, case: CaseFacts, *, role: DispatchRole, max_open: int
) -> tuple[ExclusionReason, ...]:
    """Every reason that applies, in the SPEC's order."""
    found: list[ExclusionReason] = []
    if not lawyer.in_pool:
        found.append(ExclusionReason.NOT_IN_POOL)
    if not lawyer.certificate_active:
        found.append(ExclusionReason.CERTIFICATE_INACTIVE)
    if case.business_system is None or case.business_system not in lawyer.specialties:
        found.append(ExclusionReason.SPECIALTY_MISMATCH)
    # 回避: a lawyer of the respondent may take part, but never preside.
    if role is DispatchRole.PRESIDING and lawyer.agency_id == case.respondent_agency_id:
        found.append(ExclusionReason.CONFLICT_OF_INTEREST)
    if lawyer.open_assignments >= max_open:
        found.append(ExclusionReason.AT_CAPACITY)
    if lawyer.refused_this_case:
        found.append(ExclusionReason.DECLINED_BEFORE)
    if lawyer.assigned_to_case:
        found.append(ExclusionReason.ALREADY_ASSIGNED)
    if lawyer.unavailable_today:
        found.append(ExclusionReason.UNAVAILABLE)
    return tuple(found)


def rank_key(lawyer: Lawyer, case: CaseFacts) -> tuple[int, int, float, int, str]:
    """Fewest open assignments; then longest since the last offer (never offered first);
    then the respondent's county; then the lawyer id, so that ties always break the same way."""
    never = 0 if lawyer.last_offered_at is None else 1
    since = lawyer.last_offered_at.timestamp() if lawyer.last_offered_at else 0.0
    other_county = 0 if lawyer.region_code == case.respondent_region_code else 1
    return (lawyer.open_assignments, never, since, other_county, str(lawyer.lawyer_id))


def assess(
    lawyers: Sequence[Lawyer], case: CaseFacts, *, role: DispatchRole, max_open: int
) -> tuple[list[Assessment], list[Assessment]]:
    """(eligible ranked best first, excluded with their reasons)."""
    assessed = [
        Assessment(lawyer, exclusions(lawyer, case, role=role, max_open=max_open))
        for lawyer in lawyers
    ]
    eligible = sorted((a for a in assessed if a.eligible), key=lambda a: rank_key(a.lawyer, case))
    excluded = sorted(
        (a for a in assessed if not a.eligible), key=lambda a: str(a.lawyer.lawyer_id)
    )
    return eligible, excluded


def exclusion_summary(excluded: list[Assessment]) -> dict[str, int]:
    """How many lawyers each reason excluded (a lawyer may count under several)."""
    summary: dict[str, int] = {}
    for assessment in excluded:
        for reason in assessment.exclusions:
            summary[reason.value] = summary.get(reason.value, 0) + 1
    return summary
