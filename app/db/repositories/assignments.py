"""Queries on assignments."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Assignment

# A lawyer may read the cases they were offered, are working on, or completed; a declined,
# expired or withdrawn offer gives no lasting access to the file.
_HOLDING = ("offered", "conflict_reported", "accepted", "completed")


def case_ids_of_lawyer(lawyer_id: uuid.UUID) -> Select[uuid.UUID]:
    """The cases a lawyer holds (or held) an assignment on: what a lawyer may read."""
    return select(Assignment.case_id).where(
        Assignment.lawyer_id == lawyer_id, Assignment.status.in_(_HOLDING)
    )


async def lawyer_holds_assignment(
    session: AsyncSession, *, case_id: uuid.UUID, lawyer_id: uuid.UUID
) -> bool:
    stmt = select(Assignment.id).where(
        Assignment.case_id == case_id,
        Assignment.lawyer_id == lawyer_id,
        Assignment.status.in_(_HOLDING),
    )
    return (await session.execute(stmt.limit(1))).first() is not None
