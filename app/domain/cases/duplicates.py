"""Possible duplicates (SPEC 2.5): repeat petitions are common; the coordinator sees them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Case, PolicyVersion
from app.db.repositories import cases as repo
from app.db.repositories.cases import DuplicateRef
from app.domain.auth.actor import Actor
from app.domain.cases.access import visibility_scope


async def find_duplicates(
    session: AsyncSession, *, actor: Actor, case: Case, policy: PolicyVersion
) -> list[DuplicateRef]:
    """Open cases, or cases received within the policy's window, against the same respondent
    with an applicant of the same identity (keyed hash), among those the reader may see."""
    visible_agency, visible_cases = visibility_scope(actor)
    since = now_utc() - timedelta(days=policy.duplicate_window_days)
    return await repo.possible_duplicates(
        session,
        id_hashes=[a.id_number_hash for a in case.applicants],
        respondent_agency_id=case.respondent_agency_id,
        received_since=since,
        exclude_case_id=case.id,
        visible_agency_id=visible_agency,
        visible_case_ids=visible_cases,
    )
