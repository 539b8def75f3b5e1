"""Receiving a case: the intake as the edge calls it.

Two steps (``receive`` checks, looks up, audits and builds the answer; ``number`` numbers
and writes), because from the moment the number is taken the year's counter row is locked
until the commit, and every other intake waits for it: the answer is built, and even
rendered, between the two, so that only the numbered insert and the commit come after
(docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories.idempotency import KeyRow
from app.domain.auth.actor import Actor
from app.domain.cases import intake, queries
from app.domain.cases.intake import NewCase
from app.domain.cases.schemas import CaseIn, CaseOut
from app.domain.common.crypto import FieldCipher


@dataclass(frozen=True)
class Received:
    """A case checked and audited, not yet numbered; ``view`` is how its reader will see
    it, with the number still missing."""

    new: NewCase
    view: CaseOut


async def receive(
    session: AsyncSession, *, actor: Actor, data: CaseIn, cipher: FieldCipher
) -> Received:
    new = await intake.create_case(session, actor=actor, data=data, cipher=cipher)
    view = await queries.case_view(
        session,
        actor=actor,
        case=new.case,
        cipher=cipher,
        duplicates=new.duplicates,
        deadlines=new.deadlines,
    )
    return Received(new, view)


async def number(session: AsyncSession, received: Received, *, key: KeyRow | None = None) -> str:
    """Number the case and write it (with the request's idempotency key and its answer, if
    any): the last statement before the commit. Returns the number."""
    case_no = await intake.store(session, received.new, key=key)
    received.view.case_no = case_no
    return case_no
