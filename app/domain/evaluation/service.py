"""Annual evaluation rounds and honours (评选表彰, SPEC 2.14; Art. 19).

A round belongs to an organizer: the city government (371500) covers every agency, a
county-level government the agencies of its division. The supervisor opens it, awards
advanced individuals (public lawyers) and advanced units (agencies) in its scope, and closes
it; what it awarded stays. Every honour is public (``GET /honours``) and written as the
event ``honour.awarded``.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Agency, Evaluation, Honour
from app.db.repositories import evaluation as repo
from app.db.repositories import registry as registry_repo
from app.db.repositories.evaluation import HonourFilters as HonourFilters
from app.domain.audit import service as audit
from app.domain.auth.actor import Actor
from app.domain.evaluation.schemas import EvaluationIn, EvaluationOut, HonourIn, HonourOut
from app.domain.events.subjects import honour_awarded
from app.domain.paging import BY_ID, Page
from app.domain.registry.rules import LIAOCHENG_REGION_CODES
from app.errors import Conflict, NotFound, ValidationFailed
from app.states.codes import EvaluationStatus, HonourKind
from app.states.evaluation import EVALUATION_LIFECYCLE, EvaluationAction

CITY = "371500"


async def create(session: AsyncSession, *, actor: Actor, data: EvaluationIn) -> Evaluation:
    if data.organizer_region_code not in LIAOCHENG_REGION_CODES:
        raise ValidationFailed.of_field(
            "organizer_region_code",
            f"{data.organizer_region_code} is not a Liaocheng division",
            "unknown_region_code",
        )
    evaluation = Evaluation(
        year=data.year,
        organizer_region_code=data.organizer_region_code,
        title=data.title,
        status=EvaluationStatus.OPEN,
        created_by=actor.sub,
    )
    session.add(evaluation)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="evaluation.create",
        object_type="evaluation",
        object_id=evaluation.id,
        changes={"year": data.year, "organizer_region_code": data.organizer_region_code},
    )
    return evaluation


async def get(
    session: AsyncSession, evaluation_id: uuid.UUID, *, for_update: bool = False
) -> Evaluation:
    evaluation = await repo.get(session, evaluation_id, for_update=for_update)
    if evaluation is None:
        raise NotFound("no such evaluation", code="not_found")
    return evaluation


async def list_evaluations(
    session: AsyncSession, *, year: int | None, cursor: str | None, limit: int
) -> Page[EvaluationOut]:
    found = await repo.list_page(session, year=year, after=BY_ID.decode(cursor), limit=limit)
    return BY_ID.page(found, EvaluationOut.model_validate)


def _in_scope(evaluation: Evaluation, agency: Agency) -> bool:
    return evaluation.organizer_region_code in (CITY, agency.region_code)


async def _subject(
    session: AsyncSession, evaluation: Evaluation, data: HonourIn
) -> tuple[uuid.UUID | None, Agency]:
    """(the lawyer honoured or None, the agency) of a request, or 422 naming the field."""
    wanted, unwanted = (
        ("lawyer_id", "agency_id")
        if data.kind is HonourKind.ADVANCED_INDIVIDUAL
        else ("agency_id", "lawyer_id")
    )
    if getattr(data, wanted) is None:
        raise ValidationFailed.of_field(wanted, f"{data.kind.value} names {wanted}", "required")
    if getattr(data, unwanted) is not None:
        raise ValidationFailed.of_field(
            unwanted, f"{data.kind.value} names {wanted} only", "not_for_kind"
        )
    lawyer_id: uuid.UUID | None = None
    if data.lawyer_id is not None:
        lawyer = await registry_repo.get_lawyer(session, data.lawyer_id)
        if lawyer is None:
            raise ValidationFailed.of_field("lawyer_id", "no such lawyer", "unknown_lawyer")
        lawyer_id, agency_id = lawyer.id, lawyer.agency_id
    else:
        assert data.agency_id is not None
        agency_id = data.agency_id
    agency = await registry_repo.get_agency(session, agency_id)
    if agency is None:
        raise ValidationFailed.of_field("agency_id", "no such agency", "unknown_agency")
    if not _in_scope(evaluation, agency):
        raise ValidationFailed.of_field(
            wanted,
            f"outside the organizer's division {evaluation.organizer_region_code}",
            "out_of_scope",
        )
    return lawyer_id, agency


async def award(
    session: AsyncSession, *, actor: Actor, evaluation_id: uuid.UUID, data: HonourIn
) -> Honour:
    evaluation = await get(session, evaluation_id, for_update=True)
    EVALUATION_LIFECYCLE.ensure(
        evaluation.status, EvaluationStatus.OPEN, action=EvaluationAction.AWARD
    )
    lawyer_id, agency = await _subject(session, evaluation, data)
    subject_id = lawyer_id or agency.id
    if await repo.honour_of(
        session, evaluation_id=evaluation.id, kind=data.kind, subject_id=subject_id
    ):
        raise Conflict("already honoured in this evaluation", code="already_honoured")
    honour = Honour(
        evaluation_id=evaluation.id,
        kind=data.kind,
        year=evaluation.year,
        lawyer_id=lawyer_id,
        agency_id=agency.id,
        subject_id=subject_id,
        note=data.note,
        awarded_by=actor.sub,
    )
    session.add(honour)
    await session.flush()
    honour_awarded(session, honour)
    audit.record(
        session,
        actor=actor,
        action="evaluation.award",
        object_type="honour",
        object_id=honour.id,
        changes={"evaluation_id": evaluation.id, "kind": data.kind.value, "subject": subject_id},
    )
    return honour


async def close(session: AsyncSession, *, actor: Actor, evaluation_id: uuid.UUID) -> Evaluation:
    evaluation = await get(session, evaluation_id, for_update=True)
    EVALUATION_LIFECYCLE.ensure(evaluation.status, EvaluationStatus.CLOSED)
    evaluation.status = EvaluationStatus.CLOSED
    evaluation.closed_at, evaluation.closed_by = now_utc(), actor.sub
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="evaluation.close",
        object_type="evaluation",
        object_id=evaluation.id,
        changes={"from": EvaluationStatus.OPEN.value, "to": EvaluationStatus.CLOSED.value},
    )
    return evaluation


async def list_honours(
    session: AsyncSession, *, filters: HonourFilters, cursor: str | None, limit: int
) -> Page[HonourOut]:
    found = await repo.honours_page(
        session, filters=filters, after=BY_ID.decode(cursor), limit=limit
    )
    return BY_ID.page(found, HonourOut.model_validate)
