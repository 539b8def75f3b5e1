"""Intake (SPEC 2.5): a complaint, petition, letter or referral becomes a case.

Everything that can refuse the request is checked first; then one statement, right before
the commit, numbers the case and writes it, so that the year's counter row is locked only
for that statement and the commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import SHANGHAI, now_utc, today_shanghai
from app.db.models import AuditRecord, Case, CaseApplicant, CaseEvent
from app.db.repositories import case_intake as intake_repo
from app.db.repositories import cases as repo
from app.db.repositories import registry as registry_repo
from app.db.repositories.cases import DuplicateRef
from app.db.repositories.idempotency import KeyRow
from app.db.types import new_id
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.calendar.service import current_calendar
from app.domain.cases import access
from app.domain.cases.deadline_facts import deadlines_of, due_dates
from app.domain.cases.deadlines import (
    Deadlines,
    resolve_real_property,
    resolve_reconsideration_first,
)
from app.domain.cases.duplicates import find_duplicates, read_along_scope
from app.domain.cases.schemas import (
    ActIn,
    ApplicantIn,
    CaseIn,
    CasePatch,
    CaseSummary,
    RelatedProcedure,
)
from app.domain.cases.timeline import append_event
from app.domain.cases.timeline import new_event as new_timeline_event
from app.domain.common.crypto import FieldCipher
from app.domain.common.masking import mask_id_number, mask_phone, mask_sensitive_text
from app.domain.common.workdays import WorkdayCalendar
from app.domain.events.outbox import event_row, record_event
from app.domain.policy.service import keep_read_along, policy_in_force
from app.errors import Conflict, Forbidden, ValidationFailed
from app.states.case import CASE_LIFECYCLE
from app.states.codes import AgencyKind, CaseStatus, EventType, Role

ID_FIELD = "applicant.id_number"
PHONE_FIELD = "applicant.phone"
# Clocks of the systems that send us cases drift; a few minutes ahead is not "the future".
CLOCK_SKEW = timedelta(minutes=5)


def searchable_text(text: str) -> str:
    """A case's title, facts and claims as stored: with identity- and phone-number-shaped text
    masked (SPEC 3). The list's search reads these texts, and its index holds every pair of
    adjacent characters; were the numbers kept, a search for a number (or a probe that adds
    one digit at a time) would confirm it although every response masks it. Responses showed
    them masked anyway, so nothing a reader sees changes; the applicants' own numbers are
    the sealed fields, which ``?reveal=pii`` opens."""
    return mask_sensitive_text(text)


def id_hash(cipher: FieldCipher, id_type: str, id_number: str) -> str:
    """The keyed hash applicants are matched by; the type is part of it (a passport number
    and a resident ID that happen to share digits are different people)."""
    return cipher.blind_index(f"{id_type}:{id_number}", field=ID_FIELD)


def _sealed_applicants(applicants: list[ApplicantIn], cipher: FieldCipher) -> list[CaseApplicant]:
    return [
        CaseApplicant(
            position=i,
            kind=a.kind.value,
            name=a.name,
            id_type=a.id_type.value,
            id_number_sealed=cipher.encrypt(a.id_number, field=ID_FIELD),
            id_number_masked=mask_id_number(a.id_number),
            id_number_hash=id_hash(cipher, a.id_type.value, a.id_number),
            phone_sealed=cipher.encrypt(a.phone, field=PHONE_FIELD) if a.phone else None,
            phone_masked=mask_phone(a.phone) if a.phone else None,
            address=a.address,
        )
        for i, a in enumerate(applicants)
    ]


async def _check_agencies(
    session: AsyncSession, *, respondent_id: uuid.UUID, intake_id: uuid.UUID | None = None
) -> None:
    """The intake agency (when given) and the respondent exist and are active, and the
    respondent is an administrative organ; one query for both."""
    ids = [respondent_id] if intake_id is None else [intake_id, respondent_id]
    _check_agency_kinds(
        await registry_repo.active_agency_kinds(session, ids),
        respondent_id=respondent_id,
        intake_id=intake_id,
    )


def _check_agency_kinds(
    kinds: dict[uuid.UUID, str], *, respondent_id: uuid.UUID, intake_id: uuid.UUID | None
) -> None:
    if intake_id is not None and intake_id not in kinds:
        raise ValidationFailed.of_field(
            "intake_agency_id", "no such active agency", "unknown_agency"
        )
    if respondent_id not in kinds:
        raise ValidationFailed.of_field(
            "respondent_agency_id", "no such active agency", "unknown_agency"
        )
    if not AgencyKind(kinds[respondent_id]).is_administrative_organ:
        raise ValidationFailed.of_field(
            "respondent_agency_id",
            "only an administrative organ can be the respondent (Art. 5(1))",
            "respondent_not_administrative_organ",
        )


def _check_dates(
    act: ActIn | None, received_at: Any, procedures: list[RelatedProcedure] | None = None
) -> None:
    """No date that has not happened yet (``performance_due_on`` may: the organ's time to
    act can still be running)."""
    now = now_utc()
    today = today_shanghai(now)
    errors = []
    if received_at is not None and received_at > now + CLOCK_SKEW:
        errors.append(("received_at", "is in the future"))
    for name in ("made_on", "known_on", "applied_on"):
        value = getattr(act, name) if act is not None else None
        if value is not None and value > today:
            errors.append((f"act.{name}", "is in the future"))
    for i, procedure in enumerate(procedures or []):
        for name in ("decided_on", "decision_received_on"):
            value = getattr(procedure, name)
            if value is not None and value > today:
                errors.append((f"related_procedures.{i}.{name}", "is in the future"))
    if errors:
        raise ValidationFailed(
            "dates in the future",
            errors=[{"field": f, "message": m, "code": "in_future"} for f, m in errors],
        )


def apply_act(case: Case, act: ActIn) -> None:
    """Copy the act onto the case, with the defaults of SPEC 2.5 resolved."""
    case.act_type = act.type.value
    case.act_document_no = act.document_no
    case.act_made_on = act.made_on
    case.act_known_on = act.known_on
    case.act_description = act.description
    case.act_real_property = resolve_real_property(act.type, act.real_property)
    case.act_remedy_notice_given = act.remedy_notice_given
    case.act_applied_on = act.applied_on
    case.act_performance_due_on = act.performance_due_on
    case.act_refused = act.refused
    case.act_reconsideration_first = resolve_reconsideration_first(
        act.type, refused=act.refused, given=act.reconsideration_first
    )


def store_due_dates(case: Case, calendar: WorkdayCalendar, *, warning_days: int = 0) -> Deadlines:
    """Derive the stored due dates (the ``deadline_warning`` filter's) from the case's facts:
    after intake, a correction, a deadline notice or a calendar load. New dates make entering
    the warning window news again (the ``case.deadline_warning`` event). Returns the
    deadlines as of today, warned within ``warning_days`` (the dates do not depend on it):
    the intake's answer shows them without computing them again."""
    deadlines = deadlines_of(
        case, today=today_shanghai(), warning_days=warning_days, calendar=calendar
    )
    dates = due_dates(deadlines)
    if dates != (case.reconsideration_due_on, case.litigation_due_on, case.outer_limit_due_on):
        case.deadline_warned_at = None
    (
        case.reconsideration_due_on,
        case.litigation_due_on,
        case.outer_limit_due_on,
    ) = dates
    return deadlines


def _duplicate_ref(existing: Case) -> Conflict:
    return Conflict(
        f"this external record is already case {existing.case_no}",
        code="duplicate_external_ref",
        extra={"existing_case_id": str(existing.id), "existing_case_no": existing.case_no},
    )


@dataclass(frozen=True)
class NewCase:
    """A case taken in, checked and audited, with its possible duplicates; ``store``
    numbers and writes it."""

    case: Case
    duplicates: list[DuplicateRef]
    event: CaseEvent
    year: int
    outbox: dict[str, Any]
    audit: AuditRecord
    deadlines: Deadlines  # as of today, for the answer


async def create_case(
    session: AsyncSession, *, actor: Actor, data: CaseIn, cipher: FieldCipher
) -> NewCase:
    """Take a case in: everything that can refuse the request is checked, the duplicates
    looked up and the audit record made; ``store`` then writes the case and the record."""
    intake_agency_id = data.intake_agency_id or actor.agency_id
    if intake_agency_id is None:
        raise ValidationFailed.of_field(
            "intake_agency_id", "name the agency taking the case in", "required"
        )
    if actor.role is Role.AGENCY_OFFICER and intake_agency_id != actor.agency_id:
        raise Forbidden("an agency takes cases in for itself", code="not_own_agency")
    _check_dates(data.act, data.received_at, data.related_procedures)
    applicants = _sealed_applicants(data.applicants, cipher)
    on, scope = today_shanghai(), read_along_scope(actor)
    # On PostgreSQL the agencies, the policy and the duplicates come in one round trip.
    found = None
    if scope is not None:
        found = await intake_repo.look_up(
            session,
            agency_ids=[intake_agency_id, data.respondent_agency_id],
            policy_on=on,
            respondent_agency_id=data.respondent_agency_id,
            id_hashes=[a.id_number_hash for a in applicants],
            duplicates=scope,
        )
    if found is None:
        await _check_agencies(
            session, intake_id=intake_agency_id, respondent_id=data.respondent_agency_id
        )
    else:
        _check_agency_kinds(
            found.agency_kinds, intake_id=intake_agency_id, respondent_id=data.respondent_agency_id
        )
    if data.external_ref is not None:
        existing = await repo.find_by_external_ref(
            session, data.external_ref.system, data.external_ref.id
        )
        if existing is not None:
            raise _duplicate_ref(existing)
    if found is not None and found.policy is not None:
        policy = keep_read_along(session, found.policy, on).version
    else:
        policy = (await policy_in_force(session)).version
    received_now = now_utc()
    received_at = data.received_at or received_now
    case = Case(
        id=new_id(),
        case_no="",  # given by ``store``
        status=CaseStatus.RECEIVED.value,
        version=1,
        channel=data.channel.value,
        received_at=received_at,
        intake_agency_id=intake_agency_id,
        respondent_agency_id=data.respondent_agency_id,
        title=searchable_text(data.title),
        facts=searchable_text(data.facts),
        claims=searchable_text(data.claims),
        external_system=data.external_ref.system if data.external_ref else None,
        external_id=data.external_ref.id if data.external_ref else None,
        related_procedures=[
            p.model_dump(mode="json", exclude_unset=True) for p in data.related_procedures
        ],
        applicant_count=len(data.applicants),
        collective=len(data.applicants) >= policy.collective_threshold,
        priority="high" if len(data.applicants) >= policy.collective_threshold else "normal",
        deadlines_notified_at=data.deadlines_notified_at,
        created_at=received_now,
        updated_at=received_now,
        created_by=actor.sub,
    )
    apply_act(case, data.act)
    deadlines = store_due_dates(
        case, await current_calendar(session), warning_days=policy.deadline_warning_days
    )
    case.applicants = applicants
    if found is not None and found.policy is not None:
        duplicates = found.duplicates
    else:
        duplicates = await find_duplicates(session, actor=actor, case=case, policy=policy)
    event = new_timeline_event(
        case=case,
        type="received",
        actor=actor,
        to_status=case.status,
        data={"channel": case.channel},
    )
    audit_record = audit.new_record(
        actor=actor,
        action="case.create",
        object_type="case",
        object_id=case.id,
        changes={
            "channel": case.channel,
            "respondent_agency_id": case.respondent_agency_id,
            "applicant_count": case.applicant_count,
            "external_ref": data.external_ref.model_dump() if data.external_ref else None,
        },
    )
    # The case as lists show it; ``store`` puts its number in when it has one.
    outbox = event_row(EventType.CASE_RECEIVED, ("case", case.id), CaseSummary.model_validate(case))
    year = received_at.astimezone(SHANGHAI).year
    return NewCase(case, duplicates, event, year, outbox, audit_record, deadlines)


async def store(session: AsyncSession, new: NewCase, *, key: KeyRow | None = None) -> str:
    """Number the case and write it: the last statement of the intake's transaction,
    directly before its commit; returns the number. From the number to the commit the
    year's counter row is locked and every other intake waits for it; a worker's event loop
    serves many requests, so anything done in between (another round trip, building the
    response) would stretch that wait for all of them (docs/performance.md)."""
    case = new.case
    try:
        return await intake_repo.store_new_case(
            session, case, new.event, new.outbox, new.year, new.audit, key
        )
    except IntegrityError:
        # A parallel intake of the same external record committed first.
        existing = await repo.find_by_external_ref(
            session, str(case.external_system), str(case.external_id)
        )
        if existing is None:
            raise
        raise _duplicate_ref(existing) from None


async def correct_case(
    session: AsyncSession,
    *,
    actor: Actor,
    case: Case,
    patch: CasePatch,
    cipher: FieldCipher,
) -> Case:
    """Correct a case while it is ``received`` (the router has checked If-Match)."""
    if actor.role not in access.INTAKE_ROLES:
        raise Forbidden("you may not correct cases", code="role_not_allowed")
    if actor.role is Role.AGENCY_OFFICER and actor.agency_id != case.intake_agency_id:
        # The respondent sees the case but must not edit a complaint against itself.
        raise Forbidden("only the agency that took the case in corrects it", code="not_own_agency")
    if case.status != CaseStatus.RECEIVED.value:
        raise CASE_LIFECYCLE.refusal(
            CaseStatus(case.status),
            None,
            detail=f"a case can be corrected only while received; it is {case.status}",
        )
    changes = patch.model_dump(exclude_unset=True)
    for required in (
        "channel",
        "received_at",
        "applicants",
        "respondent_agency_id",
        "act",
        "title",
        "facts",
        "claims",
        "related_procedures",
    ):
        if required in changes and changes[required] is None:
            raise ValidationFailed.of_field(required, "may not be null", "null_not_allowed")
    act = patch.act if patch.act is not None else None
    _check_dates(act, patch.received_at, patch.related_procedures)
    if patch.respondent_agency_id is not None:
        await _check_agencies(session, respondent_id=patch.respondent_agency_id)
    policy = (await policy_in_force(session)).version
    for field in ("title", "facts", "claims"):
        if field in changes:
            setattr(case, field, searchable_text(getattr(patch, field)))
    for field in ("respondent_agency_id", "deadlines_notified_at"):
        if field in changes:
            setattr(case, field, getattr(patch, field))
    if patch.channel is not None:
        case.channel = patch.channel.value
    if patch.received_at is not None:
        if (
            patch.received_at.astimezone(SHANGHAI).year
            != case.received_at.astimezone(SHANGHAI).year
        ):
            raise ValidationFailed.of_field(
                "received_at", "cannot move a case into another year (its number)", "year_change"
            )
        case.received_at = patch.received_at
    if patch.related_procedures is not None:
        case.related_procedures = [
            p.model_dump(mode="json", exclude_unset=True) for p in patch.related_procedures
        ]
    if act is not None:
        apply_act(case, act)
    if changes.keys() & {"act", "related_procedures", "deadlines_notified_at"}:
        store_due_dates(case, await current_calendar(session))
    if patch.applicants is not None:
        case.applicants = _sealed_applicants(patch.applicants, cipher)
        case.applicant_count = len(patch.applicants)
        case.collective = case.applicant_count >= policy.collective_threshold
        if case.collective and case.priority == "normal":
            case.priority = "high"
    case.version += 1
    case.updated_at = now_utc()
    await session.flush()
    append_event(
        session, case=case, type="corrected", actor=actor, data={"fields": sorted(changes)}
    )
    record_event(
        session, EventType.CASE_CORRECTED, ("case", case.id), CaseSummary.model_validate(case)
    )
    audit.record(
        session,
        actor=actor,
        action="case.correct",
        object_type="case",
        object_id=case.id,
        changes={"fields": sorted(changes)},
    )
    return case
