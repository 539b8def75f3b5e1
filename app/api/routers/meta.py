"""Enums and reference lists."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import CurrentActor, SessionDep
from app.api.openapi_docs import AUTH_ERRORS
from app.domain.common.schema import OutputModel
from app.domain.reference.catalogue import BusinessSystemOut, business_systems
from app.states.catalogue import enum_catalogue

router = APIRouter(tags=["reference"])


class EnumEntry(OutputModel):
    code: str
    label_zh: str


@router.get(
    "/meta/enums",
    summary="Every enum with its zh-CN labels",
    operation_id="list_enums",
    responses={
        **AUTH_ERRORS,
        200: {
            "content": {
                "application/json": {
                    "example": {"role": [{"code": "admin", "label_zh": "系统管理员"}]}
                }
            }
        },
    },
)
async def list_enums(actor: CurrentActor) -> dict[str, list[EnumEntry]]:
    return {
        name: [EnumEntry(**entry) for entry in entries]
        for name, entries in enum_catalogue().items()
    }


@router.get(
    "/business-systems",
    summary="Business systems (业务系统), the reference list",
    operation_id="list_business_systems",
    responses=AUTH_ERRORS,
)
async def list_business_systems(
    session: SessionDep, actor: CurrentActor
) -> list[BusinessSystemOut]:
    return await business_systems(session)
