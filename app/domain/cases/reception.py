"""Receiving a case: the intake as the edge calls it, in one call.

Underneath it is two steps (``intake.create_case`` checks, looks up and audits;
``intake.store`` numbers and writes), because from the moment the number is taken the
year's counter row is locked until the commit, and every other intake waits for it: the
response is built between the two, so that only the numbered insert comes after
(docs/performance.md).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.auth.actor import Actor
from app.domain.cases import intake, queries
from app.domain.cases.schemas import CaseIn, CaseOut
from app.domain.common.crypto import FieldCipher


async def take_in(
    session: AsyncSession, *, actor: Actor, data: CaseIn, cipher: FieldCipher
) -> CaseOut:
    """Take a case in and return it as its reader sees it, with its number."""
    new = await intake.create_case(session, actor=actor, data=data, cipher=cipher)
    view = await queries.case_view(
        session, actor=actor, case=new.case, cipher=cipher, duplicates=new.duplicates
    )
    view.case_no = await intake.store(session, new)
    return view
