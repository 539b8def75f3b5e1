"""Reading cases: visibility, the full view with derived fields, lists, the timeline."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import today_shanghai
from app.db.models import Case, CaseClassification, PolicyVersion
from app.db.repositories import assignments as assignments_repo
from app.db.repositories import cases as repo
from app.db.repositories.cases import CaseFilters, CaseToRead, DuplicateRef
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.calendar.service import current_calendar
from app.domain.cases import access
from app.domain.cases.deadline_facts import deadlines_of
from app.domain.cases.deadlines import Deadlines
from app.domain.cases.duplicates import find_duplicates, read_along_scope
from app.domain.cases.intake import ID_FIELD, PHONE_FIELD
from app.domain.cases.schemas import (
    ActOut,
    ApplicantOut,
    CaseEventOut,
    CaseOut,
    CaseSummary,
    ClassificationOut,
    DeadlinesOut,
    DuplicateOut,
    ExternalRef,
)
from app.domain.common.crypto import FieldCipher
from app.domain.common.workdays import WorkdayCalendar
from app.domain.outcomes.schemas import outcome_view
from app.domain.paging import BY_ID, BY_TIME, Page
from app.domain.policy.service import keep_read_along, policy_in_force
from app.errors import Forbidden, NotFound
from app.states.case import CASE_LIFECYCLE
from app.states.codes import CaseStatus, Role


async def get_visible_case(
    session: AsyncSession,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    for_update: bool = False,
    with_applicants: bool = True,
    overdue_at: datetime | None = None,
) -> Case:
    """The case, or 404 when it does not exist or the actor may not see it (``repo.get``
    for the options)."""
    found = await repo.get(
        session,
        case_id,
        for_update=for_update,
        with_applicants=with_applicants,
        overdue_at=overdue_at,
    )
    return await _visible(session, actor, found)


async def read_case(session: AsyncSession, *, actor: Actor, case_id: uuid.UUID) -> CaseToRead:
    """The case to show (with what its view shows, when read with it), or 404 as
    ``get_visible_case``; not for changing it (on PostgreSQL it is read past the ORM,
    outside the session: ``app/db/fast_read.py``)."""
    on = today_shanghai()
    found = await repo.get_to_read(
        session, case_id, policy_on=on, duplicates=read_along_scope(actor)
    )
    await _visible(session, actor, found.case if found else None)
    assert found is not None  # _visible raised otherwise
    if found.policy is not None:
        keep_read_along(session, found.policy, on)
    return found


async def _visible(session: AsyncSession, actor: Actor, case: Case | None) -> Case:
    holds = False
    if case is not None and actor.role is Role.LAWYER and actor.lawyer_id is not None:
        holds = await assignments_repo.lawyer_holds_assignment(
            session, case_id=case.id, lawyer_id=actor.lawyer_id
        )
    if case is None or not access.can_read_case(actor, case, holds_assignment=holds):
        raise NotFound("no such case")
    return case


def etag(case: Case | CaseOut) -> str:
    return f'"{case.id}.{case.version}"'


def deadlines_view(case: Case, policy: PolicyVersion, calendar: WorkdayCalendar) -> DeadlinesOut:
    """The deadlines as of today (Asia/Shanghai), with the calendar the database holds now."""
    deadlines = deadlines_of(
        case, today=today_shanghai(), warning_days=policy.deadline_warning_days, calendar=calendar
    )
    return DeadlinesOut.model_validate(deadlines.as_dict())


def case_summary(case: Case | Row[Any] | dict[str, Any]) -> CaseSummary:
    # Free text is masked by OutputModel when the response is written (SPEC 4.3). A row
    # the driver read (``fast_read``) comes as a dict; validating a dict is the quicker way.
    if isinstance(case, dict):
        return CaseSummary.model_validate(case)
    return CaseSummary.model_validate(case)


async def case_view(
    session: AsyncSession,
    *,
    actor: Actor,
    case: Case,
    cipher: FieldCipher,
    reveal: bool = False,
    policy: PolicyVersion | None = None,
    duplicates: list[DuplicateRef] | None = None,
    read: CaseToRead | None = None,
    deadlines: Deadlines | None = None,
) -> CaseOut:
    """The full case with its derived fields (deadlines as of today, possible duplicates the
    reader may see). ``read``: the case as ``read_case`` gave it, with its related rows;
    ``deadlines``: as of today with the policy's warning days, when the caller has them
    (the intake computed them to store the due dates)."""
    policy = policy or (await policy_in_force(session)).version
    if duplicates is None and read is not None:
        duplicates = read.duplicates
    if duplicates is None:
        duplicates = await find_duplicates(session, actor=actor, case=case, policy=policy)
    if read is not None and read.related:
        outcome, classification = read.outcome, read.classification
    else:
        outcome = await repo.latest_outcome(session, case.id) if case.outcome_type else None
        # Every recorded classification sets the case's business system: none, none to read.
        classification = (
            await repo.latest_classification(session, case.id) if case.business_system else None
        )
    applicants = [
        ApplicantOut(
            kind=a.kind,
            name=a.name,
            id_type=a.id_type,
            id_number=cipher.decrypt(a.id_number_sealed, field=ID_FIELD)
            if reveal
            else a.id_number_masked,
            phone=(cipher.decrypt(a.phone_sealed, field=PHONE_FIELD) if reveal else a.phone_masked)
            if a.phone_sealed
            else None,
            address=a.address,
        )
        for a in case.applicants
    ]
    summary = CaseSummary.model_validate(case)
    return CaseOut(
        **summary.model_dump(),
        version=case.version,
        applicants=applicants,
        act=ActOut(
            type=case.act_type,
            document_no=case.act_document_no,
            made_on=case.act_made_on,
            known_on=case.act_known_on,
            description=case.act_description,
            real_property=case.act_real_property,
            remedy_notice_given=case.act_remedy_notice_given,
            applied_on=case.act_applied_on,
            performance_due_on=case.act_performance_due_on,
            refused=case.act_refused,
            reconsideration_first=case.act_reconsideration_first,
        ),
        facts=case.facts,
        claims=case.claims,
        external_ref=ExternalRef(system=case.external_system, id=case.external_id)
        if case.external_system and case.external_id
        else None,
        related_procedures=case.related_procedures,
        deadlines=DeadlinesOut.model_validate(deadlines.as_dict())
        if deadlines is not None
        else deadlines_view(case, policy, await current_calendar(session)),
        deadlines_notified_at=case.deadlines_notified_at,
        deadlines_notified_how=case.deadlines_notified_how,
        possible_duplicates=[DuplicateOut.model_validate(d) for d in duplicates],
        recommended_channel=case.recommended_channel,
        chosen_channel=case.chosen_channel,
        closed_at=case.closed_at,
        allowed_actions=CASE_LIFECYCLE.allowed_actions(CaseStatus(case.status)),
        outcome=outcome_view(outcome) if outcome and case.outcome_type else None,
        classification=classification_view(classification) if classification else None,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def classification_view(record: CaseClassification) -> ClassificationOut:
    """A recorded classification as shown; its notes are free text, masked on output like
    every other (``OutputModel``)."""
    return ClassificationOut.model_validate(record)


async def classification_history(
    session: AsyncSession, *, actor: Actor, case_id: uuid.UUID, cursor: str | None, limit: int
) -> Page[ClassificationOut]:
    """A page of the case's classifications, oldest first, for whoever may read the case."""
    after = BY_ID.decode(cursor)
    case = await get_visible_case(session, actor=actor, case_id=case_id)
    found = await repo.classifications(session, case.id, after=after, limit=limit)
    return BY_ID.page(found, classification_view)


def ensure_may_reveal(session: AsyncSession, actor: Actor, case: Case) -> None:
    """Clear personal data only for the center's staff and the bureau, and every reveal is
    itself audited (SPEC 4.3)."""
    if actor.role not in access.REVEAL_ROLES:
        raise Forbidden(
            "only center coordinators and the supervisor may reveal personal data",
            code="reveal_not_allowed",
        )
    audit.record(
        session,
        actor=actor,
        action="case.reveal_pii",
        object_type="case",
        object_id=case.id,
        changes={"case_no": case.case_no},
    )


async def list_cases(
    session: AsyncSession,
    *,
    actor: Actor,
    cursor: str | None,
    limit: int,
    status: str | None = None,
    channel: str | None = None,
    business_system: str | None = None,
    respondent_agency_id: uuid.UUID | None = None,
    priority: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    deadline_warning: bool | None = None,
    text: str | None = None,
) -> Page[CaseSummary]:
    """A page of the cases the actor may see, newest first. ``deadline_warning`` True: only
    cases with a remedy deadline within the policy's warning window from today; False:
    only cases with none there."""
    window: tuple[date, date] | None = None
    if deadline_warning is not None:
        today = today_shanghai()
        days = (await policy_in_force(session)).version.deadline_warning_days
        window = (today, today + timedelta(days=days))
    filters = CaseFilters(
        status=status,
        channel=channel,
        business_system=business_system,
        respondent_agency_id=respondent_agency_id,
        priority=priority,
        received_from=received_from,
        received_to=received_to,
        warning_window=window,
        warning=deadline_warning,
        text=text,
    )
    agency, held = access.visibility_scope(actor)
    found = await repo.list_page(
        session,
        filters=filters,
        after=BY_ID.decode(cursor),
        limit=limit,
        visible_agency_id=agency,
        visible_case_ids=held,
    )
    return BY_ID.page(found, case_summary)


async def timeline(
    session: AsyncSession, *, actor: Actor, case_id: uuid.UUID, cursor: str | None, limit: int
) -> Page[CaseEventOut]:
    """A page of the case's timeline, in order of time, for whoever may read the case."""
    after = BY_TIME.decode(cursor)
    case = await get_visible_case(session, actor=actor, case_id=case_id)
    found = await repo.events(session, case.id, after=after, limit=limit)
    return BY_TIME.page(found, CaseEventOut.model_validate)
