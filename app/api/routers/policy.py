"""The rules in force (SPEC 2.10)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import AdminActor, CurrentActor, IsoDate, SessionDep
from app.api.openapi_docs import WRITE_ERRORS, problem_responses
from app.domain.policy import service
from app.domain.policy.schemas import PolicyInForceOut, PolicyVersionIn, PolicyVersionOut

router = APIRouter(prefix="/policy", tags=["policy"])


@router.get(
    "",
    summary="The numeric rules in force on a date (default: today in Asia/Shanghai)",
    operation_id="get_policy",
    responses=problem_responses(401, 422, 503),
)
async def get_policy(
    session: SessionDep,
    actor: CurrentActor,
    on: Annotated[IsoDate | None, Query(description="ISO date; default today")] = None,
) -> PolicyInForceOut:
    in_force = await service.policy_in_force(session, on=on)
    expires = await service.expires_in_days(session, in_force)
    return PolicyInForceOut(
        on=in_force.on,
        covered=in_force.covered,
        warning=service.warning_text(in_force, expires),
        expires_in_days=expires,
        version=PolicyVersionOut.model_validate(in_force.version),
    )


@router.post(
    "/versions",
    status_code=201,
    summary="Add a policy version that takes effect after the latest one (admin)",
    operation_id="add_policy_version",
    responses={**WRITE_ERRORS, **problem_responses(409)},
)
async def add_policy_version(
    body: PolicyVersionIn, session: SessionDep, actor: AdminActor, response: Response
) -> PolicyVersionOut:
    version = await service.add_version(session, actor=actor, data=body)
    response.headers["Location"] = f"/api/v1/policy?on={version.effective_from.isoformat()}"
    return PolicyVersionOut.model_validate(version)
