"""Repeat honourees (多次被评优, SPEC 2.14; Art. 19): public lawyers honoured as advanced
individuals in at least the policy's ``repeat_honour_threshold`` different years. Their
agencies and the bureau consult the list for talent recommendation, appointment and
promotion. Computed when read, against the policy in force today, so a new threshold
applies at once."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, not_
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Lawyer
from app.db.repositories import evaluation as evaluation_repo
from app.domain.policy.service import policy_in_force
from app.domain.registry.schemas import LawyerOut, lawyer_out


async def repeat_threshold(session: AsyncSession) -> int:
    return (await policy_in_force(session)).version.repeat_honour_threshold


async def repeat_honourees(session: AsyncSession, lawyer_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    threshold = await repeat_threshold(session)
    return await evaluation_repo.repeat_honourees(session, lawyer_ids, threshold=threshold)


async def repeat_condition(session: AsyncSession, wanted: bool) -> ColumnElement[bool]:
    """The list filter ``repeat_honouree=true|false``."""
    condition = evaluation_repo.is_repeat_honouree(await repeat_threshold(session))
    return condition if wanted else not_(condition)


async def lawyer_view(session: AsyncSession, lawyer: Lawyer) -> LawyerOut:
    """A lawyer as the API shows it, with whether they are a repeat honouree."""
    repeat = lawyer.id in await repeat_honourees(session, [lawyer.id])
    return lawyer_out(lawyer, repeat_honouree=repeat)
