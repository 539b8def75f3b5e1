"""Possible duplicates (SPEC 2.5): repeat petitions are common; the coordinator sees them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Case, PolicyVersion
from app.db.repositories import cases as repo
from app.db.repositories.cases import DuplicateRef, DuplicatesScope
from app.domain.auth.actor import Actor
from app.domain.cases.access import visibility_scope


def _since(policy: PolicyVersion) -> datetime:
    return now_utc() - timedelta(days=policy.duplicate_window_days)


def read_along_scope(actor: Actor) -> DuplicatesScope | None:
    """The reader's duplicates as the case's own read can bring them along (a round trip
    fewer; the window is the policy's, read in the same statement), or None when their
    scope is not one it can express (a lawyer's held cases)."""
    visible_agency, visible_cases = visibility_scope(actor)
    if visible_cases is not None:
        return None
    return DuplicatesScope(now=now_utc(), agency=visible_agency)


async def find_duplicates(
    session: AsyncSession, *, actor: Actor, case: Case, policy: PolicyVersion
) -> list[DuplicateRef]:
    """Open cases, or cases received within the policy's window, against the same respondent
    with an applicant of the same identity (keyed hash), among those the reader may see."""
    visible_agency, visible_cases = visibility_scope(actor)
    since = _since(policy)
    return await repo.possible_duplicates(
        session,
        id_hashes=[a.id_number_hash for a in case.applicants],
        respondent_agency_id=case.respondent_agency_id,
        received_since=since,
        exclude_case_id=case.id,
        visible_agency_id=visible_agency,
        visible_case_ids=visible_cases,
    )
