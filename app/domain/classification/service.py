"""Recording a classification (SPEC 2.6): Art. 5 decides whether this is an administrative
dispute at all; Art. 8 asks what the applicant was told of the ways to resolve it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import now_utc
from app.db.models import Case, CaseClassification
from app.db.repositories import registry as registry_repo
from app.domain.auth.actor import Actor
from app.domain.cases.queries import get_visible_case
from app.domain.cases.transition import Audited, move_case
from app.domain.classification.lexicon import load_lexicon
from app.domain.classification.model import load_model
from app.domain.classification.results import Suggestion
from app.domain.classification.schemas import ClassificationIn, SuggestionOut
from app.domain.classification.segment import SEGMENTER
from app.domain.classification.suggest import suggest
from app.domain.policy.service import policy_in_force
from app.domain.registry.agencies import ensure_business_systems_exist
from app.states.case import CASE_LIFECYCLE, CaseAction
from app.states.codes import CaseStatus, EventType, OutcomeType


async def classify(
    session: AsyncSession, *, actor: Actor, case_id: uuid.UUID, data: ClassificationIn
) -> tuple[Case, CaseClassification]:
    """Record the coordinator's classification: all four conditions met → ``classified``
    (again, before dispatch: a reclassification); any not met → closed as
    ``not_administrative_dispute`` with the referral note. Every one is kept in history."""
    case = await get_visible_case(session, actor=actor, case_id=case_id, for_update=True)
    current = CaseStatus(case.status)
    all_met = data.conditions.all_met()
    if not all_met:
        target, action = CaseStatus.CLOSED, CaseAction.CLOSE_NOT_ADMINISTRATIVE
    elif current is CaseStatus.CLASSIFIED:
        target, action = CaseStatus.CLASSIFIED, CaseAction.RECLASSIFY
    else:
        target, action = CaseStatus.CLASSIFIED, CaseAction.CLASSIFY
    CASE_LIFECYCLE.ensure(current, target, action=action)
    await ensure_business_systems_exist(session, [data.business_system], field="business_system")

    record = CaseClassification(
        case_id=case.id,
        conditions=data.conditions.model_dump(mode="json"),
        all_met=all_met,
        business_system=data.business_system,
        act_type=data.act_type.value,
        priority=data.priority.value,
        recommended_channel=data.recommended_channel.value,
        channels_explained=[c.value for c in data.channels_explained],
        chosen_channel=data.chosen_channel.value if data.chosen_channel else None,
        referral_note=data.referral_note,
        created_by=actor.sub,
    )
    session.add(record)
    case.business_system = data.business_system
    case.act_type = data.act_type.value
    case.priority = data.priority.value
    case.recommended_channel = data.recommended_channel.value
    case.chosen_channel = record.chosen_channel
    closed = target is CaseStatus.CLOSED
    if closed:
        case.outcome_type = OutcomeType.NOT_ADMINISTRATIVE_DISPUTE.value
        case.closed_at = now_utc()
    await session.flush()  # the classification's id, for the timeline
    await move_case(
        session,
        case,
        target,
        action=action,
        actor=actor,
        timeline=action.value,
        data={
            "classification_id": record.id,
            "all_met": all_met,
            "business_system": data.business_system,
            "act_type": data.act_type.value,
            "priority": data.priority.value,
            "recommended_channel": data.recommended_channel.value,
        },
        event=EventType.CASE_CLOSED if closed else EventType.CASE_CLASSIFIED,
        audited=Audited(
            action.value, {"from": current.value, "to": target.value, "all_met": all_met}
        ),
    )
    return case, record


MAX_CANDIDATES = 10


def warm_up() -> str:
    """Load the lexicon, the word segmenter and the optional model: about a second of CPU,
    done once per process at start-up (in a thread) so that the first suggestion is as fast as
    the others. Returns the method suggestions will use (``lexicon`` or ``lexicon+model``)."""
    load_lexicon()
    SEGMENTER.load()
    return "lexicon+model" if load_model() is not None else "lexicon"


def _suggest(texts: dict[str, str], **known: Any) -> Suggestion:
    model = load_model()
    scores = model.predict(texts) if model is not None else None
    return suggest(texts, model_scores=scores, **known)


async def suggestion(session: AsyncSession, *, actor: Actor, case_id: uuid.UUID) -> SuggestionOut:
    """Ranked business systems and act types with the evidence found in the case's text,
    what the data can say of the Art. 5 conditions, a priority and a channel (Art. 8)."""
    case = await get_visible_case(session, actor=actor, case_id=case_id)
    respondent = await registry_repo.get_agency(session, case.respondent_agency_id)
    policy = (await policy_in_force(session)).version
    texts = {
        "title": case.title,
        "facts": case.facts,
        "claims": case.claims,
        "act_description": case.act_description or "",
    }
    # Segmenting and matching long texts is CPU work (and the first call in a process may load
    # the dictionary): off the event loop, so other requests go on.
    result = await asyncio.to_thread(
        _suggest,
        texts,
        respondent_kind=respondent.kind if respondent else None,
        respondent_business_system=respondent.business_system if respondent else None,
        applicant_count=case.applicant_count,
        collective_threshold=policy.collective_threshold,
        act_type_hint=case.act_type,
    )
    return SuggestionOut.model_validate(
        {
            "case_id": case.id,
            "lexicon_version": result.lexicon_version,
            "business_systems": result.business_systems[:MAX_CANDIDATES],
            "act_types": result.act_types[:MAX_CANDIDATES],
            "conditions": result.conditions,
            "priority": result.priority,
            "recommended_channel": result.recommended_channel,
            "respondent": result.respondent,
            "method": result.method,
        }
    )
