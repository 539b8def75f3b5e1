"""Reference lists the clients show (business systems)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.repositories import reference as repo
from app.domain.common.schema import OutputModel


class BusinessSystemOut(OutputModel):
    code: str
    label_zh: str
    sort_order: int
    active: bool


async def business_systems(session: AsyncSession) -> list[BusinessSystemOut]:
    """Every business system (业务系统), in the list's order, inactive ones included."""
    return [
        BusinessSystemOut(
            code=r.code, label_zh=r.label_zh, sort_order=r.sort_order, active=r.active
        )
        for r in await repo.all_business_systems(session)
    ]
